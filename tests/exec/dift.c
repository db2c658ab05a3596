/* The .dift runner (format in dift.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "dift.h"

#define MAXREG 32
#define MAXPROG 64
#define MAXDIR 64

struct dir {
	int prog;   /* index of the program it follows (-1: before any) */
	int line;
	char text[512];
};

struct buf {
	char *p;
	size_t n, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->n + (size_t)n + 1 > b->cap) {
		size_t cap = (b->n + (size_t)n + 1) * 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return;
		b->p = np;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

static int parse_u64(const char *s, uint64_t *out, const char **end)
{
	while (*s == ' ' || *s == '\t')
		s++;
	int neg = *s == '-';
	if (neg)
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	char *e;
	errno = 0;
	unsigned long long v = strtoull(s, &e, 0);
	if (errno)
		return -1;
	*out = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	if (end)
		*end = e;
	return 0;
}

static int parse_hex(const char *s, uint8_t *out, size_t cap, size_t *n)
{
	*n = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	while (isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1])) {
		if (*n >= cap)
			return -1;
		char t[3] = { s[0], s[1], 0 };
		out[(*n)++] = (uint8_t)strtoul(t, NULL, 16);
		s += 2;
	}
	return 0;
}

struct mem {
	uint8_t bytes[256];
};

struct caseinfo {
	const char *file;
	const char *name;
	int line0;
	struct buf *rep;
	int fails;
};

static void fail(struct caseinfo *ci, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bprintf(ci->rep, "%s:%d: %s: %s\n", ci->file, line, ci->name, msg);
	ci->fails++;
}

static int fault_code(const char *name)
{
	for (int c = 0; c <= DIF_FAULT_BADSTACK; c++)
		if (strcmp(dif_fault_name(c), name) == 0)
			return c;
	return -1;
}

/* Reads a C-style quoted string; returns its length or -1. */
static int unquote(const char *s, char *out, size_t cap)
{
	while (*s == ' ')
		s++;
	if (*s++ != '"')
		return -1;
	size_t n = 0;
	while (*s && *s != '"') {
		char c = *s++;
		if (c == '\\') {
			c = *s++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == '0')
				c = '\0';
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	out[n] = 0;
	return *s == '"' ? (int)n : -1;
}

static void run_case(struct caseinfo *ci, const char *body, size_t len)
{
	/* Split into assembler text (directives blanked) and directives. */
	char *src = malloc(len + 1);
	struct dir *dirs = calloc(MAXDIR, sizeof(*dirs));
	int ndirs = 0, nprog = 0, line = ci->line0;
	memcpy(src, body, len);
	src[len] = 0;
	for (char *l = src; l && *l;) {
		char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		char *t = l;
		while (t < l + ll && (*t == ' ' || *t == '\t'))
			t++;
		if (*t == '.' && strncmp(t, ".difo", 5) == 0)
			nprog++;
		if (*t == '!') {
			if (ndirs < MAXDIR) {
				size_t n = ll - (size_t)(t - l) - 1;
				if (n >= sizeof(dirs[0].text))
					n = sizeof(dirs[0].text) - 1;
				memcpy(dirs[ndirs].text, t + 1, n);
				dirs[ndirs].text[n] = 0;
				dirs[ndirs].prog = nprog - 1;
				dirs[ndirs].line = line;
				ndirs++;
			}
			memset(l, ' ', ll);
			*l = '#';
		}
		line++;
		l = nl ? nl + 1 : NULL;
	}

	/* VM options. */
	DIF_OPTS(dif_vm_opts, vo);
	struct dif_region regs[MAXREG];
	struct mem *mems = calloc(MAXREG, sizeof(*mems));
	size_t nregs = 0;
	for (int i = 0; i < ndirs; i++) {
		char *d = dirs[i].text;
		uint64_t v;
		const char *e;
		if (strncmp(d, "profile ", 8) == 0) {
			if (dif_profile_parse(d + 8, &vo.profile))
				fail(ci, dirs[i].line, "bad profile");
		} else if (strncmp(d, "deny ", 5) == 0) {
			if (strstr(d, "kernel"))
				vo.deny |= DIF_DENY_KERNEL;
			if (strstr(d, "proc"))
				vo.deny |= DIF_DENY_PROC;
			if (strstr(d, "owner"))
				vo.deny |= DIF_DENY_OWNER;
			if (strstr(d, "destructive"))
				vo.deny |= DIF_DENY_DESTRUCTIVE;
		} else if (strncmp(d, "strsize ", 8) == 0 && !parse_u64(d + 8, &v, NULL)) {
			vo.strsize = (uint32_t)v;
		} else if (strncmp(d, "scratch ", 8) == 0 && !parse_u64(d + 8, &v, NULL)) {
			vo.scratch_size = v;
		} else if (strncmp(d, "dynvar ", 7) == 0 && !parse_u64(d + 7, &v, NULL)) {
			vo.dynvar_size = v;
		} else if (strncmp(d, "static ", 7) == 0 && !parse_u64(d + 7, &v, NULL)) {
			vo.static_size = v;
		} else if (strncmp(d, "local ", 6) == 0 && !parse_u64(d + 6, &v, NULL)) {
			vo.local_size = v;
		} else if ((strncmp(d, "mem ", 4) == 0 || strncmp(d, "umem ", 5) == 0) &&
		           nregs < MAXREG) {
			int user = d[0] == 'u';
			size_t n;
			if (parse_u64(d + (user ? 5 : 4), &v, &e) ||
			    parse_hex(e, mems[nregs].bytes, sizeof(mems[nregs].bytes), &n) ||
			    n == 0) {
				fail(ci, dirs[i].line, "bad mem directive");
				continue;
			}
			regs[nregs] = (struct dif_region){
				.addr = v, .size = n, .bytes = mems[nregs].bytes,
				.as = user ? DIF_AS_USER : DIF_AS_KERNEL,
				.flags = strstr(e, "canload") ? DIF_REGION_CANLOAD : 0,
			};
			nregs++;
		} else if (strncmp(d, "toxic ", 6) == 0 && nregs < MAXREG) {
			uint64_t sz;
			if (parse_u64(d + 6, &v, &e) || parse_u64(e, &sz, NULL)) {
				fail(ci, dirs[i].line, "bad toxic directive");
				continue;
			}
			regs[nregs++] = (struct dif_region){
				.addr = v, .size = sz, .flags = DIF_REGION_TOXIC };
		}
	}
	vo.regions = regs;
	vo.nregions = nregs;

	struct dif_errors *errs = calloc(1, sizeof(*errs));
	struct dif_vm *vm = NULL;
	struct dif_ctx *ctx = NULL;
	struct dif_module *mod = NULL;
	struct dif_prog **progs = calloc(MAXPROG, sizeof(*progs));
	if (dif_vm_create(&vo, &vm, errs)) {
		fail(ci, ci->line0, "dif_vm_create: %s",
		     errs->count ? errs->list[0].msg : "?");
		goto out;
	}
	if (dif_ctx_create(vm, &ctx)) {
		fail(ci, ci->line0, "dif_ctx_create failed");
		goto out;
	}
	DIF_OPTS(dif_asm_opts, ao, .profile = vo.profile, .filename = ci->file);
	dif_errors_clear(errs);
	if (dif_asm(src, strlen(src), &ao, &mod, errs)) {
		fail(ci, errs->count ? (int)errs->list[0].line + ci->line0 - 1 : ci->line0,
		     "assembler: %s", errs->count ? errs->list[0].msg : "?");
		goto out;
	}
	size_t np = dif_module_count(mod);
	if ((int)np != nprog)
		fail(ci, ci->line0, "assembled %zu programs, expected %d", np, nprog);
	for (size_t p = 0; p < np && p < MAXPROG; p++) {
		int reject_expected = 0, repeat = 1;
		for (int i = 0; i < ndirs; i++)
			if (dirs[i].prog == (int)p && strcmp(dirs[i].text, "expect reject") == 0)
				reject_expected = 1;
		dif_errors_clear(errs);
		int rc = dif_prog_load(vm, dif_module_get(mod, p), &progs[p], errs);
		if (reject_expected) {
			if (rc == 0)
				fail(ci, ci->line0, "program %zu: loaded but expected reject", p);
			continue;
		}
		if (rc) {
			fail(ci, ci->line0, "program %zu: dif_prog_load: %s", p,
			     errs->count ? errs->list[0].msg : "?");
			continue;
		}
		/* Context inputs that precede or follow this program. */
		for (int i = 0; i < ndirs; i++) {
			if (dirs[i].prog != (int)p && !(p == 0 && dirs[i].prog < 0))
				continue;
			char *d = dirs[i].text;
			uint64_t v, k;
			const char *e;
			if (strncmp(d, "arg ", 4) == 0) {
				if (parse_u64(d + 4, &k, &e) || *e != '=' || parse_u64(e + 1, &v, NULL) ||
				    dif_ctx_set_arg(ctx, (unsigned)k, v))
					fail(ci, dirs[i].line, "bad arg directive");
			} else if (strncmp(d, "var ", 4) == 0 || strncmp(d, "str ", 4) == 0) {
				char *eq = strchr(d + 4, '=');
				if (!eq) {
					fail(ci, dirs[i].line, "bad var directive");
					continue;
				}
				*eq = 0;
				int id = -1;
				for (unsigned x = 0x100; x < 0x500 && id < 0; x++) {
					const char *nm = dif_var_name(x, vo.profile);
					if (nm && strcmp(nm, d + 4) == 0)
						id = (int)x;
				}
				int bad = id < 0;
				if (!bad && d[0] == 'v')
					bad = parse_u64(eq + 1, &v, NULL) || dif_ctx_set_var(ctx, (unsigned)id, v);
				else if (!bad)
					bad = dif_ctx_set_string(ctx, (unsigned)id, eq + 1) != 0;
				*eq = '=';
				if (bad)
					fail(ci, dirs[i].line, "bad variable directive '%s'", d);
			} else if (strncmp(d, "thread ", 7) == 0 && !parse_u64(d + 7, &v, NULL)) {
				if (dif_ctx_set_thread(ctx, v) != 0)
					fail(ci, dirs[i].line, "thread key 0x%llx refused",
					     (unsigned long long)v);
			} else if (strncmp(d, "repeat ", 7) == 0 && !parse_u64(d + 7, &v, NULL)) {
				repeat = (int)v;
			}
		}
		uint64_t rv = 0;
		for (int r = 0; r < repeat; r++)
			rc = dif_exec(progs[p], ctx, &rv);
		const struct dif_fault *f = dif_ctx_fault(ctx);
		int checked = 0;
		for (int i = 0; i < ndirs; i++) {
			if (dirs[i].prog != (int)p || strncmp(dirs[i].text, "expect ", 7))
				continue;
			checked = 1;
			char *d = dirs[i].text + 7;
			uint64_t v;
			if (strncmp(d, "rval ", 5) == 0) {
				if (parse_u64(d + 5, &v, NULL))
					fail(ci, dirs[i].line, "bad rval");
				else if (rc != 0)
					fail(ci, dirs[i].line, "expected rval %" PRIu64 ", got fault %s pc %u addr 0x%" PRIx64 " (%s)",
					     v, dif_fault_name(f->code), f->pc, f->addr,
					     f->reason ? f->reason : "");
				else if (rv != v)
					fail(ci, dirs[i].line, "rval %" PRIu64 " (0x%" PRIx64 "), expected %" PRIu64 " (0x%" PRIx64 ")",
					     rv, rv, v, v);
			} else if (strncmp(d, "fault ", 6) == 0) {
				char name[32];
				unsigned pc;
				int n = 0;
				if (sscanf(d + 6, "%31s pc %u%n", name, &pc, &n) < 2) {
					fail(ci, dirs[i].line, "bad fault expectation");
					continue;
				}
				const char *a = strstr(d, " addr ");
				if (rc != DIF_E_FAULT) {
					fail(ci, dirs[i].line, "expected fault %s, got rval %" PRIu64, name, rv);
				} else if (f->code != fault_code(name) || f->pc != pc) {
					fail(ci, dirs[i].line, "fault %s pc %u (%s), expected %s pc %u",
					     dif_fault_name(f->code), f->pc, f->reason ? f->reason : "",
					     name, pc);
				} else if (a && (parse_u64(a + 6, &v, NULL) || v != f->addr)) {
					fail(ci, dirs[i].line, "fault addr 0x%" PRIx64 ", expected %s",
					     f->addr, a + 6);
				}
			} else if (strncmp(d, "string ", 7) == 0) {
				char want[1024], got[1024];
				int n = unquote(d + 7, want, sizeof(want));
				if (n < 0) {
					fail(ci, dirs[i].line, "bad string expectation");
					continue;
				}
				if (rc) {
					fail(ci, dirs[i].line, "expected a string, got fault %s pc %u",
					     dif_fault_name(f->code), f->pc);
					continue;
				}
				size_t k = 0;
				for (; k + 1 < sizeof(got); k++) {
					if (dif_ctx_read(ctx, rv + k, &got[k], 1)) {
						fail(ci, dirs[i].line, "returned address 0x%" PRIx64 " unreadable at +%zu", rv, k);
						break;
					}
					if (!got[k])
						break;
				}
				got[k] = 0;
				if (strcmp(got, want))
					fail(ci, dirs[i].line, "string \"%s\", expected \"%s\"", got, want);
			} else if (strncmp(d, "drops ", 6) == 0) {
				struct dif_vm_stats st;
				dif_vm_get_stats(vm, &st);
				if (parse_u64(d + 6, &v, NULL) || st.dynvar_drops != v)
					fail(ci, dirs[i].line, "drops %" PRIu64 ", expected %s",
					     st.dynvar_drops, d + 6);
			} else if (strcmp(d, "reject") != 0) {
				fail(ci, dirs[i].line, "unknown expectation '%s'", d);
			}
		}
		(void)checked;
	}
out:
	for (int p = 0; p < MAXPROG; p++)
		dif_prog_free(progs[p]);
	free(progs);
	dif_module_free(mod);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
	free(errs);
	free(mems);
	free(dirs);
	free(src);
}

int dift_run(const char *file, const char *text, char **report, int *ncases)
{
	struct buf rep = { 0 };
	int fails = 0, cases = 0, line = 1;
	const char *p = text;
	/* Skip to the first case. */
	while (*p && strncmp(p, "=== ", 4) != 0) {
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
		line++;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		char name[128];
		size_t nn = nl ? (size_t)(nl - p - 4) : strlen(p + 4);
		if (nn >= sizeof(name))
			nn = sizeof(name) - 1;
		memcpy(name, p + 4, nn);
		name[nn] = 0;
		int l0 = line + 1;
		const char *body = nl ? nl + 1 : p + strlen(p);
		const char *q = body;
		int bl = l0;
		while (*q && strncmp(q, "=== ", 4) != 0) {
			const char *n2 = strchr(q, '\n');
			q = n2 ? n2 + 1 : q + strlen(q);
			bl++;
		}
		struct caseinfo ci = { file, name, l0, &rep, 0 };
		run_case(&ci, body, (size_t)(q - body));
		fails += ci.fails;
		cases++;
		line = bl;
		p = q;
	}
	*report = rep.p;
	*ncases = cases;
	return fails;
}
