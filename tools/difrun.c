/* difrun: run a DIF program from a listing or an object and print its
 * result or its fault. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "difvm/difvm.h"
#include "toolio.h"
#ifdef DIFRUN_CONFORMANCE
#include "conformance.h"
#endif

#define MAX_MEM 64
#define MAX_SET 256

static void usage(FILE *f)
{
	fputs(
"Usage: difrun [OPTION]... FILE\n"
"Run one DIF program (DIFO) of FILE with difvm and print what it returns,\n"
"or the fault that stopped it.\n"
"\n"
"FILE is a `dtrace -S` listing, the hand-written assembly syntax (see\n"
"docs/assembly.md) or a difvm ELF object; \"-\" reads standard input.\n"
"The program is validated and loaded like dif_prog_load() does, then run\n"
"in a fresh context.\n"
"\n"
"Program selection:\n"
"  -d, --difo=NAME         run the DIFO called NAME (default: the first)\n"
"      --all               run every DIFO of FILE in order in one VM and\n"
"                          context (later programs see earlier programs'\n"
"                          variables); the result is the last program's\n"
"\n"
"Inputs of the firing:\n"
"  -a, --arg=N=VALUE       set args[N] (and argN for N < 10); repeatable\n"
"  -v, --var=NAME=VALUE    set a built-in variable by name: integers (pid,\n"
"                          tid, timestamp, uid, ...) take a number, string\n"
"                          variables (execname, probefunc, ...) take text\n"
"      --thread=KEY        thread key for self-> variables, at least 0xfb00\n"
"                          (default: DTrace's key for tid, (tid+0xffff) mod 2^61)\n"
"  -m, --mem=ADDR=HEX      kernel memory the program may read with ld*\n"
"                          (hex bytes, e.g. 0x1000=48690a00); stores to it\n"
"                          fault BADADDR; repeatable; readable ranges\n"
"                          of one address space must not overlap\n"
"      --loadable-mem=ADDR=HEX\n"
"                          like --mem, also readable without kernel\n"
"                          visibility (rld*, string checks), as the current\n"
"                          thread's structures are in DTrace\n"
"  -u, --user-mem=ADDR=HEX user-space memory (uld*, copyin, copyinstr)\n"
"      --toxic=ADDR=SIZE   a range where any access faults BADADDR\n"
"\n"
"Virtual machine:\n"
"  -p, --profile=NAME      freebsd (default) or illumos: instruction set,\n"
"                          subroutine and variable numbering (an object\n"
"                          FILE: by default the profile it records)\n"
"      --strsize=N         string size limit (default 256, at most 1 MiB)\n"
"      --scratch=N         scratch bytes per execution (default 65536;\n"
"                          1 to 1 GiB)\n"
"      --dynvar=N          dynamic variable space (default 1048576;\n"
"                          1 to 1 GiB)\n"
"      --deny=LIST         privileges the consumer lacks, comma separated:\n"
"                          kernel (no kernel reads: ld* act as rld*),\n"
"                          proc (pid, uregs[] ... fault UPRIV), owner\n"
"                          (copyout faults UPRIV), destructive\n"
"  -n, --runs=N            run the program N times (default 1) and report\n"
"                          the last run; with --time, the mean time\n"
"      --time              print the mean time per run on standard error\n"
"      --stats             print dynamic variable statistics on standard\n"
"                          error\n"
TOOLIO_LIMIT_HELP
"\n"
"Output:\n"
"  -j, --json              print one JSON object:\n"
"                            {\"rval\": \"N\", \"fault\": null}\n"
"                            {\"rval\": \"0\", \"fault\": {\"name\": \"DIVZERO\",\n"
"                             \"code\": 4, \"pc\": 7, \"addr\": \"0x0\"}}\n"
"                          rval is the unsigned 64-bit value in decimal; a\n"
"                          program returning a string also gets\n"
"                          \"string\": \"...\"\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Without --json an integer result prints as `N (0xHEX)`, a string result as\n"
"the string, and a fault as\n"
"  fault: NAME (text) at pc P (DIF offset 4P), address 0xADDR\n"
"Numbers are decimal, negative decimal or 0x hexadecimal.\n"
"\n"
"Exit status: 0 when the program returned, 1 when it faulted, 2 on usage,\n"
"input or validation errors.\n", f);
}

struct memopt {
	uint64_t addr;
	uint8_t *bytes;
	size_t len;
	uint32_t as, flags;
};

struct setopt {
	char kind; /* 'a' arg, 'v' var */
	const char *text;
};

static int parse_num(const char *s, uint64_t *v)
{
	return toolio_parse_u64(s, v);
}

/* "difrun: bad --OPT 'ARG'HINT" with the argument's control bytes
 * escaped; returns 2 (the usage exit status). */
static int bad_opt(const char *opt, const char *arg, const char *hint)
{
	fprintf(stderr, "difrun: bad --%s '", opt);
	toolio_put_escaped(stderr, arg);
	fprintf(stderr, "'%s\n", hint);
	return 2;
}

static int parse_mem(const char *s, struct memopt *m, uint32_t as,
                     uint32_t flags)
{
	const char *eq = strchr(s, '=');
	if (!eq)
		return -1;
	char a[64];
	size_t n = (size_t)(eq - s);
	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = 0;
	if (parse_num(a, &m->addr))
		return -1;
	const char *h = eq + 1;
	if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
		h += 2;
	size_t hl = strlen(h);
	if (hl == 0 || hl % 2)
		return -1;
	m->bytes = malloc(hl / 2);
	if (!m->bytes)
		return -1;
	for (size_t i = 0; i < hl / 2; i++) {
		/* strictly hex digits: strtoul would take "+f" or " f" */
		int hi = toolio_xdigit((unsigned char)h[2 * i]);
		int lo = toolio_xdigit((unsigned char)h[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(m->bytes);
			m->bytes = NULL;
			return -1;
		}
		m->bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	m->len = hl / 2;
	m->as = as;
	m->flags = flags;
	return 0;
}

static int parse_deny(const char *s, uint32_t *deny)
{
	char buf[256];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
		if (strcmp(t, "kernel") == 0)
			*deny |= DIF_DENY_KERNEL;
		else if (strcmp(t, "proc") == 0)
			*deny |= DIF_DENY_PROC;
		else if (strcmp(t, "owner") == 0)
			*deny |= DIF_DENY_OWNER;
		else if (strcmp(t, "destructive") == 0)
			*deny |= DIF_DENY_DESTRUCTIVE;
		else if (strcmp(t, "none") != 0)
			return -1;
	}
	return 0;
}

/* Built-in variable id for a name under a profile, or -1. */
static int var_id(const char *name, enum dif_profile p)
{
	for (unsigned id = DIF_VAR_OTHER_MIN; id < DIF_VAR_OTHER_UBASE; id++) {
		const char *n = dif_var_name(id, p);
		if (n && strcmp(n, name) == 0)
			return (int)id;
	}
	return -1;
}

static int apply_set(struct dif_ctx *ctx, const struct setopt *s,
                     enum dif_profile p)
{
	const char *eq = strchr(s->text, '=');
	if (!eq || eq == s->text)
		return -1;
	char name[64];
	size_t n = (size_t)(eq - s->text);
	if (n >= sizeof(name))
		return -1;
	memcpy(name, s->text, n);
	name[n] = 0;
	uint64_t v;
	if (s->kind == 'a') {
		uint64_t i;
		if (parse_num(name, &i) || i > UINT32_MAX || parse_num(eq + 1, &v))
			return -1;
		return dif_ctx_set_arg(ctx, (unsigned)i, v) ? -1 : 0;
	}
	int id = var_id(name, p);
	if (id < 0)
		return -1;
	if (dif_ctx_set_string(ctx, (unsigned)id, eq + 1) == 0)
		return 0;
	if (parse_num(eq + 1, &v))
		return -1;
	return dif_ctx_set_var(ctx, (unsigned)id, v) ? -1 : 0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Reads the NUL-terminated string a program returned (bounded). */
static char *read_string(struct dif_ctx *ctx, uint64_t addr, size_t max)
{
	char *s = malloc(max + 1);
	if (!s)
		return NULL;
	size_t i = 0;
	for (; i < max; i++) {
		if (dif_ctx_read(ctx, addr + i, &s[i], 1) != 0 || s[i] == 0)
			break;
	}
	s[i] = 0;
	return s;
}

static int is_string_type(const struct dif_difo *d)
{
	struct dif_difo_parts parts;
	dif_difo_get_parts(d, &parts);
	return parts.rtype.kind == DIF_TYPE_STRING;
}

int main(int argc, char **argv)
{
#ifdef DIFRUN_CONFORMANCE
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--conformance") == 0)
			return difrun_conformance(argc, argv);
#endif
	enum { O_ALL = 256, O_THREAD, O_LMEM, O_TOXIC, O_STRSIZE, O_SCRATCH,
	       O_DYNVAR, O_DENY, O_TIME, O_STATS, O_CONF };
	static const struct option longopts[] = {
		{ "difo", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, O_ALL },
		{ "arg", required_argument, NULL, 'a' },
		{ "var", required_argument, NULL, 'v' },
		{ "thread", required_argument, NULL, O_THREAD },
		{ "mem", required_argument, NULL, 'm' },
		{ "loadable-mem", required_argument, NULL, O_LMEM },
		{ "user-mem", required_argument, NULL, 'u' },
		{ "toxic", required_argument, NULL, O_TOXIC },
		{ "profile", required_argument, NULL, 'p' },
		{ "strsize", required_argument, NULL, O_STRSIZE },
		{ "scratch", required_argument, NULL, O_SCRATCH },
		{ "dynvar", required_argument, NULL, O_DYNVAR },
		{ "deny", required_argument, NULL, O_DENY },
		{ "runs", required_argument, NULL, 'n' },
		{ "time", no_argument, NULL, O_TIME },
		{ "stats", no_argument, NULL, O_STATS },
		{ "json", no_argument, NULL, 'j' },
		{ "conformance", no_argument, NULL, O_CONF },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOLIO_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *difo_name = NULL;
	int all = 0, json = 0, timing = 0, stats = 0, ch;
	uint64_t runs = 1, thread = 0, v;
	int have_thread = 0, prof_set = 0;
	struct memopt mems[MAX_MEM];
	size_t nmem = 0;
	struct setopt sets[MAX_SET];
	size_t nset = 0;
	DIF_OPTS(dif_vm_opts, vo);
	int status = 2;
	struct dif_errors *errs = NULL;
	struct dif_region *regions = NULL;
	struct dif_module *mod = NULL;
	struct dif_vm *vm = NULL;
	struct dif_ctx *ctx = NULL;
	struct dif_prog **progs = NULL;
	size_t nprogs = 0;

	while ((ch = getopt_long(argc, argv, "d:a:v:m:u:p:n:jhV", longopts,
	                         NULL)) != -1) {
		switch (ch) {
		case 'd':
			difo_name = optarg;
			break;
		case O_ALL:
			all = 1;
			break;
		case 'a':
		case 'v':
			if (nset == MAX_SET) {
				fprintf(stderr, "difrun: too many --arg/--var options\n");
				goto out;
			}
			sets[nset++] = (struct setopt){ (char)ch, optarg };
			break;
		case O_THREAD:
			if (parse_num(optarg, &thread) || thread < DIF_THREAD_KEY_MIN) {
				bad_opt("thread", optarg, " (a thread key is at least 0xfb00, "
				        "above every variable's key entry)");
				goto out;
			}
			have_thread = 1;
			break;
		case 'm':
		case 'u':
		case O_LMEM:
			if (nmem == MAX_MEM) {
				fprintf(stderr, "difrun: more than %d memory options\n", MAX_MEM);
				goto out;
			}
			if (parse_mem(optarg, &mems[nmem], ch == 'u' ? DIF_AS_USER : DIF_AS_KERNEL,
			              ch == O_LMEM ? DIF_REGION_CANLOAD : 0)) {
				bad_opt(ch == 'u' ? "user-mem" : ch == 'm' ? "mem" : "loadable-mem",
				        optarg, " (want ADDR=HEXBYTES, hex digits only)");
				goto out;
			}
			nmem++;
			break;
		case O_TOXIC: {
			const char *eq = strchr(optarg, '=');
			char a[64];
			uint64_t addr, size;
			if (!eq || (size_t)(eq - optarg) >= sizeof(a) || nmem == MAX_MEM) {
				bad_opt("toxic", optarg, " (want ADDR=SIZE)");
				goto out;
			}
			memcpy(a, optarg, (size_t)(eq - optarg));
			a[eq - optarg] = 0;
			if (parse_num(a, &addr) || parse_num(eq + 1, &size) || size == 0) {
				bad_opt("toxic", optarg, " (want ADDR=SIZE)");
				goto out;
			}
			mems[nmem++] = (struct memopt){ addr, NULL, size, DIF_AS_KERNEL,
			                                DIF_REGION_TOXIC };
			break;
		}
		case 'p':
			prof_set = 1;
			if (toolio_opt_profile("difrun", optarg, &vo.profile))
				goto out;
			break;
		case O_STRSIZE:
			if (parse_num(optarg, &v) || v == 0 || v > UINT32_MAX) {
				bad_opt("strsize", optarg, " (want 1 or more)");
				goto out;
			}
			vo.strsize = (uint32_t)v;
			break;
		case O_SCRATCH:
			/* 0 is refused like --strsize 0: in dif_vm_opts it would
			 * silently mean the default. */
			if (parse_num(optarg, &vo.scratch_size) || vo.scratch_size == 0) {
				bad_opt("scratch", optarg, " (want 1 or more bytes)");
				goto out;
			}
			break;
		case O_DYNVAR:
			if (parse_num(optarg, &vo.dynvar_size) || vo.dynvar_size == 0) {
				bad_opt("dynvar", optarg, " (want 1 or more bytes)");
				goto out;
			}
			break;
		case O_DENY:
			if (parse_deny(optarg, &vo.deny)) {
				bad_opt("deny", optarg, " (kernel,proc,owner,destructive)");
				goto out;
			}
			break;
		case 'n':
			if (parse_num(optarg, &runs) || runs == 0) {
				bad_opt("runs", optarg, "");
				goto out;
			}
			break;
		case O_TIME:
			timing = 1;
			break;
		case O_STATS:
			stats = 1;
			break;
		case 'j':
			json = 1;
			break;
		case O_CONF:
			fprintf(stderr, "difrun: this build has no --conformance mode\n");
			goto out;
		case 'h':
			usage(stdout);
			status = toolio_finish("difrun", 0);
			goto out;
		case 'V':
			printf("difrun (difvm) %s\n", DIFVM_VERSION);
			status = toolio_finish("difrun", 0);
			goto out;
		default:
			if (toolio_opt_limit("difrun", ch, optarg) == 1)
				break;
			usage(stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "difrun: expected exactly one FILE (try --help)\n");
		goto out;
	}
	const char *file = argv[optind];

	errs = calloc(1, sizeof(*errs));
	regions = calloc(nmem ? nmem : 1, sizeof(*regions));
	if (!errs || !regions) {
		fprintf(stderr, "difrun: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < nmem; i++)
		regions[i] = (struct dif_region){ mems[i].addr, mems[i].len,
		                                  mems[i].bytes, mems[i].as,
		                                  mems[i].flags };
	vo.regions = regions;
	vo.nregions = nmem;

	/* An object runs under the profile it records unless -p says. */
	if (toolio_load_as(file, &vo.profile, prof_set, &mod, errs)) {
		toolio_print_errors(stderr, file, errs);
		goto out;
	}
	if (dif_module_count(mod) == 0) {
		toolio_put_escaped(stderr, file);
		fputs(": error: no DIF program in the file\n", stderr);
		goto out;
	}
	dif_errors_clear(errs);
	if (dif_vm_create(&vo, &vm, errs)) {
		toolio_print_errors(stderr, "difrun", errs);
		goto out;
	}
	if (dif_ctx_create(vm, &ctx)) {
		fprintf(stderr, "difrun: cannot create a context\n");
		goto out;
	}
	if (have_thread)
		dif_ctx_set_thread(ctx, thread);
	for (size_t i = 0; i < nset; i++)
		if (apply_set(ctx, &sets[i], vo.profile)) {
			bad_opt(sets[i].kind == 'a' ? "arg" : "var", sets[i].text,
			        sets[i].kind == 'v' ? " (unknown variable or bad value)" : "");
			goto out;
		}

	/* The programs to run. */
	size_t first = 0, count = dif_module_count(mod);
	if (difo_name) {
		size_t i;
		for (i = 0; i < count; i++)
			if (strcmp(dif_difo_name(dif_module_get(mod, i)), difo_name) == 0)
				break;
		if (i == count) {
			toolio_put_escaped(stderr, file);
			fputs(": error: no DIFO named '", stderr);
			toolio_put_escaped(stderr, difo_name);
			fputs("'\n", stderr);
			goto out;
		}
		first = i;
		count = 1;
	} else if (!all) {
		count = 1;
	}
	progs = calloc(count, sizeof(*progs));
	if (!progs)
		goto out;
	for (size_t i = 0; i < count; i++) {
		dif_errors_clear(errs);
		if (dif_prog_load(vm, dif_module_get(mod, first + i), &progs[i], errs)) {
			toolio_print_errors(stderr, file, errs);
			goto out;
		}
		nprogs++;
	}

	uint64_t rval = 0;
	int rc = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t r = 0; r < runs; r++)
		for (size_t i = 0; i < nprogs; i++)
			rc = dif_exec(progs[i], ctx, &rval);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	const struct dif_difo *last = dif_module_get(mod, first + nprogs - 1);
	const struct dif_fault *f = dif_ctx_fault(ctx);
	char *str = NULL;
	if (rc == 0 && is_string_type(last) && rval != 0)
		str = read_string(ctx, rval, 1u << 20);

	if (json) {
		printf("{\"rval\": \"%" PRIu64 "\", \"fault\": ", rc ? (uint64_t)0 : rval);
		if (rc) {
			printf("{\"name\": \"%s\", \"code\": %d, \"pc\": %u, \"addr\": \"0x%" PRIx64 "\"",
			       dif_fault_name(f->code), f->code, f->pc, f->addr);
			if (f->reason) { /* a poisoned relocation's reason */
				printf(", \"reason\": ");
				json_string(stdout, f->reason);
			}
			printf("}");
		} else
			printf("null");
		if (rc == 0 && is_string_type(last)) {
			printf(", \"string\": ");
			if (str)
				json_string(stdout, str);
			else
				printf("null");
		}
		printf("}\n");
	} else if (rc) {
		printf("fault: %s (%s) at pc %u (DIF offset %u), address 0x%" PRIx64 "%s",
		       dif_fault_name(f->code), dif_fault_text(f->code), f->pc,
		       f->pc * 4u, f->addr, f->reason ? ": " : "");
		/* a poison reason comes from the object file */
		toolio_put_escaped(stdout, f->reason);
		putchar('\n');
	} else if (is_string_type(last)) {
		printf("%s\n", str ? str : "(null)");
	} else {
		printf("%" PRIu64 " (0x%" PRIx64 ")\n", rval, rval);
	}
	if (timing) {
		double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		            (double)(t1.tv_nsec - t0.tv_nsec);
		fprintf(stderr, "difrun: %.1f ns per run (%" PRIu64 " runs)\n",
		        ns / (double)runs, runs);
	}
	if (stats) {
		struct dif_vm_stats st;
		dif_vm_get_stats(vm, &st);
		fprintf(stderr, "difrun: dynamic variables: %" PRIu64 " bytes used, %"
		        PRIu64 " drops\n", st.dynvar_used, st.dynvar_drops);
	}
	free(str);
	status = toolio_finish("difrun", rc ? 1 : 0);
out:
	for (size_t i = 0; i < nprogs; i++)
		dif_prog_free(progs[i]);
	free(progs);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
	dif_module_free(mod);
	for (size_t i = 0; i < nmem; i++)
		free(mems[i].bytes);
	free(regions);
	free(errs);
	return status;
}
