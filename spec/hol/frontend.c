/*
 * hol-frontend: the protocol side of spec/hol/runtime. Speaks the
 * conformance protocol (docs/runtime-protocol.md) on stdin/stdout and has
 * every case evaluated by the HOL Light theory in spec/hol/, running in one
 * long-lived HOL toplevel behind a pair of pipes (spec/hol/server.ml
 * describes the line format). Cases using instructions the theory does not
 * cover are answered with {"error": "unsupported: ..."} without asking HOL.
 *
 *   hol-frontend HOLDIR      HOLDIR: the spec/hol source directory
 *
 * Environment: HOL_LIGHT_DIR (default /usr/share/hol-light), DIF_HOL_LOG
 * (file receiving the toplevel's own output; default: discarded),
 * DIF_HOL_ATTACH=DIR: instead of starting HOL, talk to a session that
 * already has the theory loaded and runs dif_serve_fifo "DIR" (requests to
 * the FIFO DIR/in, replies from DIR/out); saves the start-up while
 * developing the theory.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testgen/tg.h"
#include "covered.h"
#include "reply.h"

struct hol {
	pid_t pid;
	FILE *to, *from;
	int ready;
	const char *dir;
};

static int hol_attach(struct hol *h, const char *dir)
{
	char in[4096], out[4096];
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	/* the session opens out, then in: same order, or both block */
	h->from = fopen(out, "r");
	h->to = h->from ? fopen(in, "w") : NULL;
	if (!h->to || !h->from)
		return -1;
	h->pid = -1;
	return 0;
}

static int hol_start(struct hol *h)
{
	const char *att = getenv("DIF_HOL_ATTACH");
	if (att && *att)
		return hol_attach(h, att);
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		return -1;
	const char *hd = getenv("HOL_LIGHT_DIR");
	if (!hd || !*hd)
		hd = "/usr/share/hol-light";
	char top[4096], init[4096];
	snprintf(top, sizeof(top), "%s/ocaml", hd);
	snprintf(init, sizeof(init), "%s/hol.ml", hd);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		const char *log = getenv("DIF_HOL_LOG");
		int fd = open(log && *log ? log : "/dev/null",
		              O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(top, top, "-init", init, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	h->pid = pid;
	h->to = fdopen(in[1], "w");
	h->from = fdopen(out[0], "r");
	if (!h->to || !h->from)
		return -1;
	fprintf(h->to, "let dif_dir = \"%s\";;\n#use \"%s/runtime.ml\";;\n",
	        h->dir, h->dir);
	fflush(h->to);
	return 0;
}

/* Next reply line from HOL ("@@ ..."), the toplevel's chatter skipped. */
static char *hol_line(struct hol *h, char *buf, size_t len)
{
	while (fgets(buf, (int)len, h->from)) {
		if (strncmp(buf, "@@ ", 3) != 0)
			continue;
		buf[strcspn(buf, "\n")] = 0;
		return buf + 3;
	}
	return NULL;
}


static void hex(FILE *f, const uint8_t *b, size_t n)
{
	if (!b || n == 0) {
		fputs(" -", f);
		return;
	}
	fputc(' ', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static void send_case(FILE *f, const struct dc_case *c)
{
	fprintf(f, "case %u %u %u %llu %u %d %llu %llu\n", c->profile & 1,
	        c->deny, c->strsize ? c->strsize : 256,
	        (unsigned long long)(c->scratch_size ? c->scratch_size : 65536),
	        c->runs ? c->runs : 1, c->rtype.kind == 1,
	        (unsigned long long)c->thread_key,
	        (unsigned long long)(c->dynvar_size ? c->dynvar_size : 1u << 20));
	fputs("text", f);
	for (uint32_t i = 0; i < c->textlen; i++)
		fprintf(f, " %u", c->text[i]);
	fputs("\ninttab", f);
	for (uint32_t i = 0; i < c->intlen; i++)
		fprintf(f, " %llu", (unsigned long long)c->inttab[i]);
	fputs("\nargs", f);
	for (int i = 0; i < 10; i++)
		fprintf(f, " %llu", (unsigned long long)c->args[i]);
	fputc('\n', f);
	for (uint32_t k = 0; k < c->varlen; k++) {
		const struct dc_var *v = &c->vartab[k];
		if (v->id < 0x500)
			continue;
		unsigned kind = 0;
		if (v->type.flags & 1) {
			kind |= 1;
			if (v->scope != 1 && v->kind == 1)
				kind |= 2; /* by-ref static never stored: NULL */
		}
		if (v->type.kind == 1)
			kind |= 4;
		uint32_t size = v->type.size;
		if (size == 0 && v->type.kind == 1)
			size = 256;
		fprintf(f, "var %u %u %u %u\n", v->scope, v->id, kind, size);
	}
	for (uint32_t k = 0; k < c->nbvars; k++) {
		const struct dc_bvar *b = &c->bvars[k];
		if (b->str)
			fprintf(f, "bstr %u %zu\n", b->id, strlen(b->str));
		else
			fprintf(f, "bvar %u %llu\n", b->id, (unsigned long long)b->value);
	}
	fputs("strtab", f);
	hex(f, (const uint8_t *)c->strtab, c->strlen);
	fputc('\n', f);
	for (uint32_t k = 0; k < c->nregions; k++) {
		const struct dc_region *r = &c->regions[k];
		unsigned rights;
		if (r->flags & 2)
			rights = 8;
		else
			rights = (r->bytes ? 1u : 0u) | ((r->flags & 1) ? 2u | 32u : 0u);
		fprintf(f, "region %llu %u %u %u", (unsigned long long)r->addr,
		        r->size, r->as, rights);
		hex(f, r->bytes, r->size);
		fputc('\n', f);
	}
	if (c->observe)
		fprintf(f, "observe %u\n", (unsigned)c->observe);
	fputs("end\n", f);
}

static int big_endian_host(void)
{
	const uint16_t one = 1;
	uint8_t b;
	memcpy(&b, &one, 1);
	return b == 0;
}

static const char *unsup_text(unsigned n)
{
	switch (n) {
	case 0: return "instruction not in the HOL theory";
	case 1: return "by-reference variable storage";
	case 2: return "string built-in variables (kernel view)";
	case 3: return "string built-in variables (copy to scratch)";
	case 4: return "by-reference variable stores";
	case 5: return "subroutine not in the HOL theory";
	case 6: return "by-reference dynamic variable data";
	case 7: return "by-reference dynamic variable stores (copy, bad source)";
	}
	return "case without a HOL effect";
}

static int run(void *ud, const struct dc_case *c, struct dc_outcome *o,
               struct tg_err *e)
{
	struct hol *h = ud;
	char line[16384];
	if (dc_case_has_host(c)) {
		tg_errf(e, "unsupported: host callback answers are not in the HOL theory");
		return -1;
	}
	/* the theory's thread key (dif_thread_key in dyn.ml); like the C
	 * model, keys that can equal a variable's key entry are refused */
	uint64_t tk = c->thread_key;
	if (!tk) {
		for (uint32_t k = 0; k < c->nbvars; k++)
			if (c->bvars[k].id == 0x117 && !c->bvars[k].str) {
				tk = c->bvars[k].value;
				break;
			}
		tk = (tk + 0xffff) & (((uint64_t)1 << 61) - 1);
	}
	if (tk <= 0xffff - 0x500) {
		tg_errf(e, "unsupported: thread key 0x%llx can equal a variable's "
		        "key entry (DTrace never forms one)", (unsigned long long)tk);
		return -1;
	}
	uint32_t at = 0;
	if (!hol_covered_text(c->profile & 1, c->text, c->textlen, &at)) {
		uint32_t w = c->text[at];
		if (w >> 24 == 47 && !hol_covered_subr(c->profile & 1, (w >> 8) & 0xffff))
			tg_errf(e, "unsupported: subroutine %u (pc %u) is not in the HOL "
			        "theory", (w >> 8) & 0xffff, at);
		else
			tg_errf(e, "unsupported: opcode %u (pc %u) is not in the HOL theory",
			        w >> 24, at);
		return -1;
	}
	if (big_endian_host())
		for (uint32_t i = 0; i < c->textlen; i++)
			if (c->text[i] >> 24 == 47) {
				/* the theory states a little-endian host */
				tg_errf(e, "unsupported: subroutines on a big-endian host");
				return -1;
			}
	if (!h->pid && hol_start(h)) {
		tg_errf(e, "cannot start HOL Light: %s", strerror(errno));
		return -1;
	}
	if (!h->ready) {
		char *r = hol_line(h, line, sizeof(line));
		if (!r || strcmp(r, "READY") != 0) {
			tg_errf(e, "HOL Light did not load the DIF theory (set DIF_HOL_LOG)");
			return -1;
		}
		h->ready = 1;
	}
	send_case(h->to, c);
	if (fflush(h->to)) {
		tg_errf(e, "HOL Light went away");
		return -1;
	}
	char *r = hol_line(h, line, sizeof(line));
	if (!r) {
		tg_errf(e, "HOL Light went away");
		return -1;
	}
	unsigned n;
	if (hol_reply_outcome(r, o) == 0)
		return 0;
	if (sscanf(r, "U %u", &n) == 1) {
		tg_errf(e, "unsupported: %s", unsup_text(n));
		return -1;
	}
	tg_errf(e, "HOL: %.200s", r + (r[0] == 'E' ? 2 : 0));
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hol-frontend HOLDIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct hol h = { 0 };
	h.dir = argv[1];
	int st = tg_serve(stdin, stdout, "hol-light DIF theory (spec/hol)", run, &h);
	if (h.pid) {
		fputs("quit\n", h.to);
		fclose(h.to);
		fclose(h.from);
		if (h.pid > 0)
			waitpid(h.pid, NULL, 0);
	}
	return st;
}
