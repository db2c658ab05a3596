/*
 * The native baselines: the work of each DIF program in bench/programs/
 * written in plain C, with the same data structures a tracer would use
 * (hash tables sized up front, bounded string buffers), so the ratio
 * shows the interpreter's overhead and not a difference in algorithm.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define NATIVE_STRSIZE 256
#define TLS_SLOTS 1024    /* power of two */
#define ASSOC_SLOTS 1024  /* power of two */
#define ASSOC_KEYMAX 32

struct tls_slot {
	uint64_t tid;  /* 0: free */
	uint64_t ts;
};

struct assoc_slot {
	uint64_t value; /* 0: free (a store of 0 deletes, as in D) */
	char key[ASSOC_KEYMAX];
};

struct native_state {
	struct tls_slot tls[TLS_SLOTS];
	struct assoc_slot assoc[ASSOC_SLOTS];
	char scratch[3][NATIVE_STRSIZE];
};

struct native_state *native_state_new(void)
{
	return calloc(1, sizeof(struct native_state));
}

void native_state_free(struct native_state *st)
{
	free(st);
}

/* pid == 1234 && execname == "sshd" */
uint64_t native_pred(struct native_state *st, const struct bench_event *ev)
{
	(void)st;
	return ev->pid == 1234 && strcmp(ev->execname, "sshd") == 0;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* prev = self->ts; self->ts = timestamp; return timestamp - prev */
uint64_t native_tsdelta(struct native_state *st, const struct bench_event *ev)
{
	size_t i = mix64(ev->tid) & (TLS_SLOTS - 1);
	while (st->tls[i].tid != 0 && st->tls[i].tid != ev->tid)
		i = (i + 1) & (TLS_SLOTS - 1);
	uint64_t prev = st->tls[i].tid ? st->tls[i].ts : 0;
	st->tls[i].tid = ev->tid;
	st->tls[i].ts = ev->timestamp;
	return ev->timestamp - prev;
}

/* counts[execname]++ ; return the new count */
uint64_t native_assoc(struct native_state *st, const struct bench_event *ev)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const char *k = ev->execname;
	size_t len = strnlen(k, ASSOC_KEYMAX - 1);
	for (size_t j = 0; j < len; j++)
		h = (h ^ (unsigned char)k[j]) * 0x100000001b3ull;
	size_t i = h & (ASSOC_SLOTS - 1);
	while (st->assoc[i].value != 0 &&
	       strncmp(st->assoc[i].key, k, ASSOC_KEYMAX) != 0)
		i = (i + 1) & (ASSOC_SLOTS - 1);
	if (st->assoc[i].value == 0) {
		memcpy(st->assoc[i].key, k, len);
		st->assoc[i].key[len] = '\0';
	}
	return ++st->assoc[i].value;
}

static uint64_t ld64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* curthread->t_proc->p_parent->p_cred->cr_uid, over real pointers. */
uint64_t native_chase(struct native_state *st, const struct bench_event *ev)
{
	(void)st;
	const unsigned char *t = ev->curthread;
	const unsigned char *p = (const unsigned char *)(uintptr_t)ld64(t + BENCH_THREAD_PROC);
	const unsigned char *pp = (const unsigned char *)(uintptr_t)ld64(p + BENCH_PROC_PARENT);
	const unsigned char *cr = (const unsigned char *)(uintptr_t)ld64(pp + BENCH_PROC_CRED);
	uint32_t uid;
	memcpy(&uid, cr + BENCH_CRED_UID, sizeof(uid));
	return uid;
}

/* D's substr(s, 0, n) for non-negative n, into a bounded buffer. */
static char *substr0(char *dst, const char *s, size_t n)
{
	size_t len = strnlen(s, NATIVE_STRSIZE - 1);
	if (n > len)
		n = len;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return dst;
}

/* D's strjoin: NULL when a + b + NUL does not fit the string size. */
static char *strjoin(char *dst, const char *a, const char *b)
{
	size_t la = strnlen(a, NATIVE_STRSIZE), lb = strnlen(b, NATIVE_STRSIZE);
	if (la + lb + 1 > NATIVE_STRSIZE)
		return NULL;
	memcpy(dst, a, la);
	memcpy(dst + la, b, lb);
	dst[la + lb] = '\0';
	return dst;
}

/* strjoin(strjoin(execname, ":"), substr(probefunc, 0, 3)) */
uint64_t native_strbuild(struct native_state *st, const struct bench_event *ev)
{
	char *sub = substr0(st->scratch[0], ev->probefunc, 3);
	char *a = strjoin(st->scratch[1], ev->execname, ":");
	if (!a)
		return 0;
	char *r = strjoin(st->scratch[2], a, sub);
	return r ? strlen(r) : 0;
}

const char *native_strbuild_result(const struct native_state *st)
{
	return st->scratch[2];
}

uint64_t native_alu500(struct native_state *st, const struct bench_event *ev)
{
	(void)st;
#include "alu500.h"
}

uint64_t native_ret0(struct native_state *st, const struct bench_event *ev)
{
	(void)st;
	(void)ev;
	return 0;
}
