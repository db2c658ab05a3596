/*
 * tracer: a small, complete embedding of libdifvm.
 *
 * It plays the part of a tracing framework: a fake kernel memory holds
 * process and thread objects, a stream of read(2) entry/return events comes
 * from a file, and for each event the tracer runs DIF programs assembled
 * from a listing (examples/tracer.s): a predicate, then the clause's action.
 * Thread-local variables carry the entry timestamp to the return, and an
 * associative array sums latencies per execname inside the VM.
 *
 * What it shows: dif_asm, dif_vm_create with a host read callback (the fake
 * kernel memory) and a built-in variable callback (curthread), dif_prog_load,
 * one context reused for every event, dif_exec, fault reporting, and
 * reading a result back out of the VM.
 *
 *   tracer [--profile freebsd|illumos] [--expect FILE] PROGRAMS.s EVENTS.txt
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <difvm/difvm.h>

/* ------------------------------------------------------------------
 * The fake kernel: an array of bytes that DIF sees at KBASE.
 *   proc   (32 bytes): u64 p_pid, u64 p_ppid, u32 p_uid, u32 pad, u64 spare
 *   thread (16 bytes): u64 t_tid, u64 t_proc (address of its proc)
 */
#define KBASE 0xffffff8000000000ull
#define KSIZE 4096u
#define PROC_SIZE 32u
#define THREAD_SIZE 16u
#define THREAD_AREA 2048u /* threads start at KBASE + THREAD_AREA */
#define MAX_EVENTS 1024
#define MAX_NAMES 32

struct kernel {
	unsigned char mem[KSIZE];
	unsigned nprocs;
	unsigned nthreads;
	uint64_t pids[THREAD_AREA / PROC_SIZE];
	uint64_t tids[(KSIZE - THREAD_AREA) / THREAD_SIZE];
};

struct event {
	uint64_t timestamp, pid, tid;
	char execname[32];
	int is_entry;
	uint64_t args[2];
	unsigned line;
};

struct tracer {
	struct kernel k;
	struct event ev[MAX_EVENTS];
	unsigned nev;
	const struct event *cur; /* the event being processed */
	char names[MAX_NAMES][32];
	unsigned counts[MAX_NAMES];
	unsigned nnames;
	FILE *out;
};

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static int add_proc(struct kernel *k, uint64_t pid, uint64_t ppid, uint32_t uid)
{
	if (k->nprocs == THREAD_AREA / PROC_SIZE)
		return -1;
	unsigned char *p = k->mem + k->nprocs * PROC_SIZE;
	put64(p, pid);
	put64(p + 8, ppid);
	memcpy(p + 16, &uid, 4);
	k->pids[k->nprocs++] = pid;
	return 0;
}

static int64_t find_proc(const struct kernel *k, uint64_t pid)
{
	for (unsigned i = 0; i < k->nprocs; i++)
		if (k->pids[i] == pid)
			return (int64_t)(i * PROC_SIZE);
	return -1;
}

/* Kernel address of the thread object for tid, created on first sight. */
static uint64_t thread_addr(struct kernel *k, uint64_t tid, uint64_t pid)
{
	for (unsigned i = 0; i < k->nthreads; i++)
		if (k->tids[i] == tid)
			return KBASE + THREAD_AREA + i * THREAD_SIZE;
	int64_t p = find_proc(k, pid);
	if (p < 0 && add_proc(k, pid, 0, 0) == 0)
		p = find_proc(k, pid);
	if (p < 0 || k->nthreads == (KSIZE - THREAD_AREA) / THREAD_SIZE)
		return 0; /* DIF sees a NULL curthread and faults on it */
	unsigned char *t = k->mem + THREAD_AREA + k->nthreads * THREAD_SIZE;
	put64(t, tid);
	put64(t + 8, KBASE + (uint64_t)p);
	k->tids[k->nthreads++] = tid;
	return KBASE + THREAD_AREA + (k->nthreads - 1) * THREAD_SIZE;
}

/* ------------------------------------------------------------------
 * Host callbacks.
 */

/* Reads of memory that is not the VM's own: here, only the fake kernel. */
static int host_read(void *ud, enum dif_as as, uint64_t addr, void *buf,
                     size_t len)
{
	struct tracer *t = ud;
	if (as != DIF_AS_KERNEL || addr < KBASE || len > KSIZE ||
	    addr - KBASE > KSIZE - len)
		return DIF_FAULT_BADADDR;
	memcpy(buf, t->k.mem + (addr - KBASE), len);
	return 0;
}

/* Built-in variable ids are DTrace's; look them up by name once. */
static unsigned var_id(const char *name)
{
	for (unsigned id = DIF_VAR_OTHER_MIN; id < DIF_VAR_OTHER_UBASE; id++) {
		const char *n = dif_var_name(id, DIF_PROFILE_FREEBSD);
		if (n && strcmp(n, name) == 0)
			return id;
	}
	return 0;
}

static unsigned VAR_CURTHREAD, VAR_PID, VAR_TID, VAR_TIMESTAMP, VAR_EXECNAME;

/* curthread comes from the host; every other built-in from the context's
 * value table, filled per event with dif_ctx_set_var/set_string. */
static int host_var(void *ud, struct dif_ctx *ctx, unsigned id, uint64_t index,
                    uint64_t *val)
{
	struct tracer *t = ud;
	(void)ctx;
	(void)index;
	if (id != VAR_CURTHREAD || !t->cur)
		return DIF_HOST_DEFAULT;
	*val = thread_addr(&t->k, t->cur->tid, t->cur->pid);
	return 0;
}

/* ------------------------------------------------------------------
 * Input.
 */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, r;
	char *b = malloc(cap + 1);
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (b)
		b[n] = '\0';
	*len = n;
	return b;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!s || *s == '-')
		return -1;
	*out = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static int read_events(struct tracer *t, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "tracer: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[512];
	unsigned lineno = 0;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		lineno++;
		char *tok[8];
		unsigned n = 0;
		for (char *s = strtok(line, " \t\r\n"); s && n < 8;
		     s = strtok(NULL, " \t\r\n"))
			tok[n++] = s;
		if (n == 0 || tok[0][0] == '#')
			continue;
		uint64_t v[4] = {0};
		if (strcmp(tok[0], "proc") == 0) {
			if (n != 4 || parse_u64(tok[1], &v[0]) || parse_u64(tok[2], &v[1]) ||
			    parse_u64(tok[3], &v[2]) || v[2] > UINT32_MAX ||
			    add_proc(&t->k, v[0], v[1], (uint32_t)v[2]) != 0)
				rc = -1;
			continue;
		}
		if (t->nev == MAX_EVENTS || n < 6 || n > 7) {
			rc = -1;
			continue;
		}
		struct event *e = &t->ev[t->nev];
		if (parse_u64(tok[0], &e->timestamp) || parse_u64(tok[1], &e->pid) ||
		    parse_u64(tok[2], &e->tid) || strlen(tok[3]) >= sizeof(e->execname) ||
		    parse_u64(tok[5], &e->args[0]) ||
		    (n == 7 && parse_u64(tok[6], &e->args[1]))) {
			rc = -1;
			continue;
		}
		if (strcmp(tok[4], "entry") == 0)
			e->is_entry = 1;
		else if (strcmp(tok[4], "return") != 0) {
			rc = -1;
			continue;
		}
		strcpy(e->execname, tok[3]);
		e->line = lineno;
		t->nev++;
	}
	fclose(f);
	if (rc != 0)
		fprintf(stderr, "tracer: %s:%u: bad line\n", path, lineno);
	return rc;
}

/* ------------------------------------------------------------------
 * Running.
 */
enum { P_PRED, P_ENTRY, P_RETURN, P_WHO, P_REPORT, P_COUNT };
static const char *const prog_names[P_COUNT] = {
	"pred", "entry", "return", "who", "report",
};

static void print_errors(const char *file, const struct dif_errors *errs)
{
	for (uint32_t i = 0; i < errs->count; i++) {
		const struct dif_error *e = &errs->list[i];
		if (e->line)
			fprintf(stderr, "%s:%u:%u: error: %s\n", file, e->line, e->col,
			        e->msg);
		else
			fprintf(stderr, "%s: error: %s\n", file, e->msg);
	}
}

/* Runs one program; on a fault prints it and returns -1. */
static int run(struct tracer *t, struct dif_prog *p, struct dif_ctx *ctx,
               const char *name, uint64_t *rv)
{
	if (dif_exec(p, ctx, rv) == 0)
		return 0;
	const struct dif_fault *f = dif_ctx_fault(ctx);
	fprintf(t->out, "  %s: fault %s (%s) at pc %u, addr 0x%" PRIx64 "\n",
	        name, dif_fault_name(f->code), dif_fault_text(f->code), f->pc,
	        f->addr);
	return -1;
}

static unsigned name_slot(struct tracer *t, const char *name)
{
	for (unsigned i = 0; i < t->nnames; i++)
		if (strcmp(t->names[i], name) == 0)
			return i;
	if (t->nnames == MAX_NAMES)
		return MAX_NAMES - 1; /* lumped into the last slot */
	/* name points into t->ev: copy by hand, no restrict-qualified call */
	char *dst = t->names[t->nnames];
	size_t i = 0;
	for (; i + 1 < sizeof(t->names[0]) && name[i]; i++)
		dst[i] = name[i];
	dst[i] = '\0';
	return t->nnames++;
}

static int set_event(struct dif_ctx *ctx, const struct event *e)
{
	int rc = dif_ctx_set_var(ctx, VAR_PID, e->pid);
	rc |= dif_ctx_set_var(ctx, VAR_TID, e->tid);
	rc |= dif_ctx_set_var(ctx, VAR_TIMESTAMP, e->timestamp);
	rc |= dif_ctx_set_string(ctx, VAR_EXECNAME, e->execname);
	rc |= dif_ctx_set_arg(ctx, 0, e->args[0]);
	rc |= dif_ctx_set_arg(ctx, 1, e->args[1]);
	/* self-> variables belong to the thread: the default thread key is
	 * DTrace's, derived from tid */
	return rc;
}

static int trace(struct tracer *t, struct dif_vm *vm, struct dif_prog **progs)
{
	struct dif_ctx *ctx = NULL;
	if (dif_ctx_create(vm, &ctx) != 0) {
		fprintf(stderr, "tracer: cannot create a context\n");
		return -1;
	}
	dif_ctx_set_user(ctx, t);
	for (unsigned i = 0; i < t->nev; i++) {
		const struct event *e = &t->ev[i];
		uint64_t rv = 0;
		t->cur = e;
		if (set_event(ctx, e) != 0) {
			fprintf(stderr, "tracer: cannot set the event's variables\n");
			dif_ctx_free(ctx);
			return -1;
		}
		if (run(t, progs[P_PRED], ctx, "pred", &rv) != 0 || rv == 0)
			continue;
		t->counts[name_slot(t, e->execname)]++;
		if (e->is_entry) {
			run(t, progs[P_ENTRY], ctx, "entry", &rv);
			continue;
		}
		uint64_t delta = 0, uid = 0;
		if (run(t, progs[P_RETURN], ctx, "return", &delta) != 0 ||
		    run(t, progs[P_WHO], ctx, "who", &uid) != 0)
			continue;
		if (delta == 0)
			fprintf(t->out, "%8" PRIu64 " %-6s %5" PRIu64 "/%-5" PRIu64
			        " uid %-5" PRIu64 " return without entry\n",
			        e->timestamp, e->execname, e->pid, e->tid, uid);
		else
			fprintf(t->out, "%8" PRIu64 " %-6s %5" PRIu64 "/%-5" PRIu64
			        " uid %-5" PRIu64 " read %6" PRIu64 " bytes in %6" PRIu64
			        " ns\n",
			        e->timestamp, e->execname, e->pid, e->tid, uid,
			        e->args[0], delta);
	}
	t->cur = NULL;

	/* The latency sums live in the VM: read them back with a program. */
	fprintf(t->out, "\n%-8s %6s %12s\n", "execname", "events", "latency ns");
	for (unsigned i = 0; i < t->nnames; i++) {
		uint64_t sum = 0;
		if (dif_ctx_set_string(ctx, VAR_EXECNAME, t->names[i]) != 0 ||
		    run(t, progs[P_REPORT], ctx, "report", &sum) != 0)
			continue;
		fprintf(t->out, "%-8s %6u %12" PRIu64 "\n", t->names[i], t->counts[i],
		        sum);
	}
	struct dif_vm_stats st;
	dif_vm_get_stats(vm, &st);
	fprintf(t->out, "\ndynamic variable drops: %" PRIu64 "\n", st.dynvar_drops);
	dif_ctx_free(ctx);
	return 0;
}

/* Compares what was printed with the expected file (for the test). */
static int compare(const char *got, size_t gotlen, const char *path)
{
	size_t len = 0;
	char *want = slurp(path, &len);
	if (!want) {
		fprintf(stderr, "tracer: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int rc = 0;
	if (len != gotlen || memcmp(want, got, len) != 0) {
		size_t i = 0, line = 1;
		while (i < len && i < gotlen && want[i] == got[i])
			if (want[i++] == '\n')
				line++;
		fprintf(stderr, "tracer: output differs from %s at line %zu\n", path,
		        line);
		fputs("--- got ---\n", stderr);
		fwrite(got, 1, gotlen, stderr);
		rc = 1;
	}
	free(want);
	return rc;
}

static const char usage_text[] =
	"Usage: tracer [--profile freebsd|illumos] [--expect FILE] PROGRAMS.s EVENTS\n"
	"Run the example tracer's DIF programs over a stream of events.\n"
	"\n"
	"  --profile P     DTrace flavour of the programs (default freebsd)\n"
	"  --expect FILE   compare the output with FILE instead of printing it;\n"
	"                  exit 1 when they differ\n"
	"  -h, --help      this text\n";

int main(int argc, char **argv)
{
	enum dif_profile profile = DIF_PROFILE_FREEBSD;
	const char *expect = NULL;
	static const struct option longopts[] = {
		{"profile", required_argument, NULL, 'P'},
		{"expect", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (dif_profile_parse(optarg, &profile) != 0) {
				fprintf(stderr, "tracer: unknown profile '%s'\n", optarg);
				return 2;
			}
			break;
		case 'e':
			expect = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	const char *srcpath = argv[optind], *evpath = argv[optind + 1];
	VAR_CURTHREAD = var_id("curthread");
	VAR_PID = var_id("pid");
	VAR_TID = var_id("tid");
	VAR_TIMESTAMP = var_id("timestamp");
	VAR_EXECNAME = var_id("execname");

	static struct tracer t;
	static struct dif_errors errs;
	int status = 1;
	char *outbuf = NULL;
	size_t outlen = 0;
	struct dif_module *mod = NULL;
	struct dif_vm *vm = NULL;
	struct dif_prog *progs[P_COUNT] = {NULL};

	if (read_events(&t, evpath) != 0)
		goto out;

	/* 1. Assemble the listing. */
	size_t len = 0;
	char *src = slurp(srcpath, &len);
	if (!src) {
		fprintf(stderr, "tracer: %s: %s\n", srcpath, strerror(errno));
		goto out;
	}
	DIF_OPTS(dif_asm_opts, ao, .profile = profile, .filename = srcpath);
	int rc = dif_asm(src, len, &ao, &mod, &errs);
	free(src);
	if (rc != 0) {
		print_errors(srcpath, &errs);
		goto out;
	}

	/* 2. One VM: the host supplies kernel memory and curthread. */
	DIF_OPTS(dif_host, host, .ud = &t, .read = host_read, .var = host_var);
	DIF_OPTS(dif_vm_opts, vo, .profile = profile, .host = &host);
	if (dif_vm_create(&vo, &vm, &errs) != 0) {
		print_errors(srcpath, &errs);
		goto out;
	}

	/* 3. Validate and pre-decode each program once. */
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct dif_difo *d = dif_module_find(mod, prog_names[i]);
		if (!d) {
			fprintf(stderr, "tracer: %s: no program '%s'\n", srcpath,
			        prog_names[i]);
			goto out;
		}
		dif_errors_clear(&errs);
		if (dif_prog_load(vm, d, &progs[i], &errs) != 0) {
			print_errors(srcpath, &errs);
			goto out;
		}
	}
	/* The programs keep what they need; the listing can go. */
	dif_module_free(mod);
	mod = NULL;

	/* 4. Run the event stream. */
	t.out = expect ? open_memstream(&outbuf, &outlen) : stdout;
	if (!t.out || trace(&t, vm, progs) != 0)
		goto out;
	status = 0;
	if (expect) {
		fclose(t.out);
		t.out = NULL;
		status = compare(outbuf, outlen, expect);
	}
out:
	if (expect && t.out)
		fclose(t.out);
	free(outbuf);
	for (unsigned i = 0; i < P_COUNT; i++)
		dif_prog_free(progs[i]);
	dif_vm_free(vm);
	dif_module_free(mod);
	return status;
}
