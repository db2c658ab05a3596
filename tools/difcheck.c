/*
 * difcheck: run the analysis passes over every DIFO of `.s` listings or
 * `.o` objects and report each finding (text or JSON).
 *
 * Exit status: 0 no error finding, 1 some error finding (with --werror
 * also a warning), 2 usage, I/O or parse error (takes precedence).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgout.h"
#include "difvm/reloc.h"
#include "difvm/typecheck.h"
#include "report.h"
#include "toolio.h"

struct check_ctx {
	enum dif_profile profile;
	uint32_t nregs;
	int profile_set; /* -p given: also for objects recording another */
	uint64_t scratch; /* typecheck: scratch bytes (0: difrun's default) */
	int types;        /* --types: print every result's type */
	int cfg_pass;     /* the cfg analysis runs (it reports unreachable) */
	FILE *types_out;
	const char *path;
	struct dif_types *ctypes; /* --ctf/--btf: C types for unlinked DIFOs */
};

/* The verifier's type oracle over the type files of --ctf/--btf. */
static int oracle_member(void *user, const char *type, const char *path,
                         struct dif_tc_member *out)
{
	return dif_types_member(user, type, path, out, NULL);
}

static int oracle_constant(void *user, unsigned kind, const char *type,
                           const char *path, uint64_t *value)
{
	return dif_types_resolve(user, kind, type, path, 0, value, NULL);
}

/* An analysis pass: adds its findings about mod to rep. Returns 0 or
 * DIF_E_NOMEM. Every DIFO already has its entry in rep. */
struct analysis {
	const char *name;
	const char *what; /* one line for --list-analyses */
	int (*run)(const struct dif_module *mod, const struct check_ctx *cx,
	           struct rpt_file *rep);
};

/* dif-isa.md section 5, one consumer state for the whole file (rule 29). */
static int run_validate(const struct dif_module *mod,
                        const struct check_ctx *cx, struct rpt_file *rep)
{
	struct dif_vstate *st = dif_vstate_new();
	if (!st)
		return DIF_E_NOMEM;
	DIF_OPTS(dif_validate_opts, o, .profile = cx->profile, .nregs = cx->nregs);
	int rc = 0;
	struct dif_errors *errs = malloc(sizeof(*errs));
	if (!errs) {
		dif_vstate_free(st);
		return DIF_E_NOMEM;
	}
	for (size_t i = 0; i < dif_module_count(mod) && rc == 0; i++) {
		const struct dif_difo *d = dif_module_get(mod, i);
		dif_errors_clear(errs);
		if (dif_validate_with(d, &o, st, errs) == DIF_E_NOMEM)
			rc = DIF_E_NOMEM;
		else
			rc = rpt_add_errors(rep, "validate", RPT_ERROR, dif_difo_name(d),
			                    errs);
	}
	free(errs);
	dif_vstate_free(st);
	return rc;
}

static enum rpt_severity tc_severity(enum dif_tc_severity s)
{
	return s == DIF_TC_ERROR ? RPT_ERROR
	       : s == DIF_TC_WARNING ? RPT_WARNING : RPT_NOTE;
}

/* --types: the inferred type of every instruction's result. */
static void print_types(const struct dif_module *mod, const struct dif_tc *tc,
                        const struct check_ctx *cx)
{
	const char *file = strcmp(cx->path, "-") == 0 ? "<stdin>" : cx->path;
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		const struct dif_difo *d = dif_module_get(mod, i);
		if (!dif_tc_analysed(tc, i))
			continue;
		struct dif_difo_parts p;
		dif_difo_get_parts(d, &p);
		for (uint32_t pc = 0; pc < p.textlen; pc++) {
			struct dif_tc_value v;
			if (dif_tc_result(tc, i, pc, &v) != 0)
				continue;
			char insn[64], ty[160];
			dif_insn_text(p.text[pc], cx->profile, insn, sizeof(insn));
			dif_tc_value_text(&v, ty, sizeof(ty));
			fprintf(cx->types_out, "%s:%s:%u: %s  => %%r%u: %s\n", file,
			        dif_difo_name(d), pc, insn, p.text[pc] & 0xffu, ty);
		}
	}
	/* variables, as all DIFOs of the file use them */
	static const char *const scopes[] = { "global", "thread", "local" };
	for (size_t i = 0; i < dif_tc_nvars(tc); i++) {
		struct dif_tc_var v;
		if (dif_tc_var(tc, i, &v) != 0 || v.scope > 2)
			continue;
		char st[160];
		if (v.stored)
			dif_tc_kinds_text(v.stored, st, sizeof(st));
		else
			snprintf(st, sizeof(st), "nothing");
		char decl[64];
		if (!v.has_decl)
			snprintf(decl, sizeof(decl), "undeclared");
		else
			snprintf(decl, sizeof(decl), "declared %s size %u%s",
			         v.decl.kind == DIF_TYPE_STRING ? "string" : "D type",
			         (unsigned)v.decl.size,
			         v.decl.flags & DIF_TF_BYREF ? " by ref" : "");
		fprintf(cx->types_out, "%s: %s %s %s (0x%x): %s; stored %s", file,
		        scopes[v.scope], v.assoc ? "array" : "scalar",
		        v.name[0] ? v.name : "?", v.id, decl, st);
		if (v.nkeys) {
			fputs("; key", cx->types_out);
			for (unsigned k = 0; k < v.nkeys && k < 8; k++)
				fprintf(cx->types_out, "%s%s", k ? ", " : " (",
				        v.keykinds[k] & DIF_TC_T_STR   ? "string"
				        : v.keykinds[k] & DIF_TC_T_REF ? "by ref"
				                                       : "by value");
			fputc(')', cx->types_out);
		}
		fputc('\n', cx->types_out);
	}
}

/* docs/verifier.md, cfg section: blocks no path reaches (notes). */
static int run_cfg(const struct dif_module *mod, const struct check_ctx *cx,
                   struct rpt_file *rep)
{
	DIF_OPTS(dif_cfg_opts, co, .profile = cx->profile, .nregs = cx->nregs,
	         .flags = DIF_CFG_NO_DEFUSE);
	struct dif_cfg *cfg = NULL;
	struct rpt_detail det;
	int rc = 0;
	for (size_t i = 0; i < dif_module_count(mod) && rc == 0; i++) {
		const struct dif_difo *d = dif_module_get(mod, i);
		int b = cfg ? dif_cfg_rebuild(cfg, d, &co, NULL)
		            : dif_cfg_build(d, &co, &cfg, NULL);
		if (b == DIF_E_NOMEM)
			rc = b;
		if (b)
			continue; /* malformed: the validator says why */
		struct dif_difo_parts p;
		dif_difo_get_parts(d, &p);
		for (uint32_t id = 0; id < dif_cfg_nblocks(cfg) && rc == 0; id++) {
			struct dif_block blk;
			if (dif_cfg_block(cfg, id, &blk) || blk.reachable)
				continue;
			struct rpt_difo *rd = rpt_difo(rep, dif_difo_name(d));
			if (!rd) {
				rc = DIF_E_NOMEM;
				break;
			}
			char insn[64];
			dif_insn_text(p.text[blk.start], cx->profile, insn, sizeof(insn));
			memset(&det, 0, sizeof(det));
			snprintf(det.category, sizeof(det.category), "control flow");
			snprintf(det.title, sizeof(det.title), "unreachable code");
			snprintf(det.reason, sizeof(det.reason),
			         "no path from the entry reaches block %u (pcs %u-%u)", id,
			         blk.start, blk.end);
			snprintf(det.suggestion, sizeof(det.suggestion),
			         "remove the dead instructions or fix the branch that "
			         "should lead here");
			rc = rpt_add_detail(rd, RPT_NOTE, "cfg", "unreachable", blk.start,
			                    insn, &det, "unreachable code");
		}
	}
	dif_cfg_free(cfg);
	return rc;
}

/* docs/verifier.md: types, abstract interpretation and the checks. */
static int run_typecheck(const struct dif_module *mod,
                         const struct check_ctx *cx, struct rpt_file *rep)
{
	DIF_OPTS(dif_tc_opts, o, .profile = cx->profile,
	         .scratch_size = cx->scratch,
	         .flags = (cx->types ? DIF_TC_KEEP_TYPES : 0) |
	                  (cx->cfg_pass ? DIF_TC_NO_UNREACHABLE : 0));
	struct dif_tc_oracle oracle = { sizeof(oracle), cx->ctypes, oracle_member,
		                            oracle_constant };
	if (cx->ctypes)
		o.types = &oracle;
	struct dif_tc *tc;
	int rc = dif_typecheck(mod, &o, &tc);
	if (rc)
		return rc;
	if (cx->types)
		print_types(mod, tc, cx);
	struct rpt_detail *det = malloc(sizeof(*det));
	if (!det) {
		dif_tc_free(tc);
		return DIF_E_NOMEM;
	}
	for (size_t i = 0; i < dif_tc_count(tc) && rc == 0; i++) {
		const struct dif_tc_finding *f = dif_tc_get(tc, i);
		const struct dif_difo *d = dif_module_get(mod, f->difo);
		struct rpt_difo *rd = rpt_difo(rep, dif_difo_name(d));
		if (!rd) {
			rc = DIF_E_NOMEM;
			break;
		}
		memset(det, 0, sizeof(*det));
		snprintf(det->category, sizeof(det->category), "%s", f->category);
		snprintf(det->title, sizeof(det->title), "%s", f->title);
		snprintf(det->reason, sizeof(det->reason), "%s", f->reason);
		snprintf(det->suggestion, sizeof(det->suggestion), "%s", f->suggestion);
		struct dif_difo_parts p;
		dif_difo_get_parts(d, &p);
		for (uint32_t k = 0; k < f->nslice && k < RPT_SLICE_MAX; k++) {
			det->slice[k] = f->slice[k];
			if (f->slice[k] < p.textlen)
				dif_insn_text(p.text[f->slice[k]], cx->profile,
				              det->slice_insn[k], sizeof(det->slice_insn[k]));
			det->nslice = k + 1;
		}
		rc = rpt_add_detail(rd, tc_severity(f->severity), "typecheck", f->rule,
		                    f->pc, f->insn, det, "%s", f->title);
	}
	free(det);
	dif_tc_free(tc);
	return rc;
}

/* The passes, in the order they run. */
static const struct analysis analyses[] = {
	{ "validate", "structural checks of the DTrace kernel's DIF validator",
	  run_validate },
	{ "cfg", "control flow: blocks no path reaches (docs/verifier.md)",
	  run_cfg },
	{ "typecheck", "types, abstract interpretation and safety checks "
	  "(docs/verifier.md)", run_typecheck },
};
#define NANALYSES (sizeof(analyses) / sizeof(analyses[0]))

static const char usage_text[] =
	"Usage: difcheck [OPTION]... FILE...\n"
	"Check DIF programs: the DTrace kernel's structural validation, then a\n"
	"static verifier that proves what it can and explains what it cannot.\n"
	"\n"
	"Each FILE is a `dtrace -S` listing or hand-written assembly (.s) or a\n"
	"difvm ELF object (.o); the kind is told by its contents. \"-\" reads\n"
	"standard input. Every DIFO of every FILE goes through the analysis\n"
	"passes (see --list-analyses), and every finding is reported, not only\n"
	"the first. The variable definitions of all DIFOs of one FILE are checked\n"
	"against each other, as one DTrace consumer would see them.\n"
	"\n"
	"Options:\n"
	"  -p, --profile=P      DTrace platform: freebsd (default) or illumos.\n"
	"                       It decides whether opcode 80 (stga) exists and\n"
	"                       the highest subroutine number (53 or 48).\n"
	"                       Objects record a profile; without -p it is\n"
	"                       the one they are checked under.\n"
	"  -r, --nregs=N        number of integer registers, 1..256 (default 8,\n"
	"                       as the kernel's DOF loader uses).\n"
	"  -j, --json           print one JSON document (schema difcheck/2, see\n"
	"                       docs/validator.md) instead of text.\n"
	"      --sarif          print one SARIF 2.1.0 log instead of text.\n"
	"  -A, --analysis=LIST  run only the comma-separated analyses in LIST\n"
	"                       (default: all; validate alone is the kernel's\n"
	"                       check and nothing more).\n"
	"      --types          print the inferred type of every instruction's\n"
	"                       result and of every variable before the\n"
	"                       findings (on standard error with --json or\n"
	"                       --sarif, so the document stays valid).\n"
	"      --scratch=N      scratch bytes the verifier assumes (default\n"
	"                       65536, as difrun).\n"
	"      --ctf=FILE       C types for programs not linked yet (as difld):\n"
	"                       an ELF object with .ctf (gcc -gctf -c) or a CTF\n"
	"                       archive. DIFOs whose only validator errors are\n"
	"                       `unlinked` are then verified as they will run\n"
	"                       once linked: uload results get the member's\n"
	"                       width and sign, char array members are strings,\n"
	"                       @sizeof/@offsetof/... their values.\n"
	"      --btf=FILE       the same from BTF (raw, or ELF .BTF). Type files\n"
	"                       are searched in command-line order.\n"
	"      --werror         warnings make the exit status 1 too.\n"
	"  -q, --quiet          text mode: no per-file summary line.\n"
	"      --cfg=FORM       print the control-flow graph of every DIFO\n"
	"                       instead of checking: FORM is dot (a Graphviz\n"
	"                       digraph per DIFO) or json (schema difcfg/1,\n"
	"                       see docs/verifier.md).\n"
	"      --list-analyses  print the analysis passes and exit.\n"
	"      --max-input=BYTES   refuse a FILE larger than this (default\n"
	"                       64 MiB; docs/limits.md).\n"
	"      --max-module=BYTES  refuse a FILE whose programs' text and\n"
	"                       tables total more (default 64 MiB).\n"
	"  -h, --help           print this help and exit.\n"
	"  -V, --version        print the version and exit.\n"
	"\n"
	"Output (text): one line per finding,\n"
	"  FILE:DIFO:PC: SEVERITY: RULE: INSTRUCTION  (MESSAGE)\n"
	"  FILE:DIFO:vartab[N]: error: RULE: MESSAGE\n"
	"  FILE:DIFO: SEVERITY: RULE: MESSAGE\n"
	"where SEVERITY is error, warning or note, PC the instruction index, RULE\n"
	"the stable rule name (e.g. r0-write, div-zero) and INSTRUCTION the\n"
	"instruction as difdis prints it. Verifier findings go on with indented\n"
	"lines: category, reason (the fact that failed), at (the location), path\n"
	"(the definitions and branch conditions that led there) and suggestion.\n"
	"Then, unless --quiet, a summary line per FILE:\n"
	"  FILE: N DIFOs, A accepted, R rejected\n"
	"A DIFO is rejected when it has an error finding.\n"
	"Files that cannot be read or parsed are reported on standard error.\n"
	"\n"
	"Exit status:\n"
	"  0  no error finding (with --werror: no warning either)\n"
	"  1  at least one error finding (with --werror: or warning)\n"
	"  2  usage error, or a FILE could not be read or parsed\n"
	"\n"
	"Examples:\n"
	"  difcheck prog.s\n"
	"  difcheck --analysis=validate prog.s\n"
	"  difcheck --profile=illumos --json a.o b.s > report.json\n"
	"  difcheck --sarif prog.s > prog.sarif\n";

static void usage_error(const char *fmt, const char *arg)
{
	fputs("difcheck: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'difcheck --help' for more information.\n", stderr);
}

static int parse_analyses(const char *list, unsigned char *on)
{
	memset(on, 0, NANALYSES);
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		size_t k;
		for (k = 0; k < NANALYSES; k++)
			if (strlen(analyses[k].name) == n &&
			    strncmp(analyses[k].name, p, n) == 0)
				break;
		if (k == NANALYSES || n == 0)
			return -1;
		on[k] = 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Loads and checks one file into rep; returns 2 (load), 1 (rejected) or 0. */
static int check_file(const char *path, const struct check_ctx *cx,
                      const unsigned char *on, struct rpt_file *rep, int json)
{
	struct dif_module *mod = NULL;
	/* An object is checked under the profile it records unless -p says. */
	struct check_ctx fcx = *cx;
	int rc = toolio_load_as(path, &fcx.profile, cx->profile_set, &mod,
	                        &rep->load_errs);
	cx = &fcx;
	rep->profile = dif_profile_name(fcx.profile);
	if (rc) {
		rep->load_rc = rc;
		if (!json)
			toolio_print_errors(stderr, path, &rep->load_errs);
		if (rep->load_errs.count == 0 && !json) {
			toolio_put_escaped(stderr, path);
			fprintf(stderr, ": error: %s\n", dif_err_text(rc));
		}
		dif_module_free(mod);
		return 2;
	}
	for (size_t i = 0; i < dif_module_count(mod); i++)
		if (!rpt_difo(rep, dif_difo_name(dif_module_get(mod, i))))
			rc = DIF_E_NOMEM;
	for (size_t k = 0; k < NANALYSES && rc == 0; k++)
		if (on[k])
			rc = analyses[k].run(mod, cx, rep);
	dif_module_free(mod);
	if (rc) {
		rep->load_rc = rc;
		fputs("difcheck: ", stderr);
		toolio_put_escaped(stderr, path);
		fprintf(stderr, ": %s\n", dif_err_text(rc));
		return 2;
	}
	for (size_t i = 0; i < rep->count; i++)
		if (!rpt_accepted(&rep->difos[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_LIST = 256, OPT_CFG, OPT_SARIF, OPT_TYPES, OPT_SCRATCH,
	       OPT_WERROR, OPT_BTF, OPT_CTF };
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "nregs", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "analysis", required_argument, NULL, 'A' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list-analyses", no_argument, NULL, OPT_LIST },
		{ "cfg", required_argument, NULL, OPT_CFG },
		{ "sarif", no_argument, NULL, OPT_SARIF },
		{ "types", no_argument, NULL, OPT_TYPES },
		{ "scratch", required_argument, NULL, OPT_SCRATCH },
		{ "werror", no_argument, NULL, OPT_WERROR },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "ctf", required_argument, NULL, OPT_CTF },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOLIO_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct check_ctx cx = { DIF_PROFILE_FREEBSD, DIF_NREGS, 0, 0, 0, 0, stdout,
		                    NULL, NULL };
	int json = 0, quiet = 0, sarif = 0, werror = 0;
	enum cfgout_form cfg_form = CFGOUT_NONE;
	unsigned char on[NANALYSES];
	memset(on, 1, sizeof(on));

	int c;
	while ((c = getopt_long(argc, argv, "p:r:jA:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			cx.profile_set = 1;
			if (dif_profile_parse(optarg, &cx.profile) != 0) {
				usage_error("unknown profile '%s' (freebsd or illumos)", optarg);
				return 2;
			}
			break;
		case 'r': {
			uint64_t n;
			if (toolio_parse_u64(optarg, &n) != 0 || n < 1 || n > 256) {
				usage_error("--nregs wants a number from 1 to 256, not '%s'",
				            optarg);
				return 2;
			}
			cx.nregs = (uint32_t)n;
			break;
		}
		case 'j':
			json = 1;
			break;
		case 'A':
			if (parse_analyses(optarg, on) != 0) {
				usage_error("unknown analysis in '%s' (see --list-analyses)",
				            optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_CFG:
			if (cfgout_parse(optarg, &cfg_form) != 0) {
				usage_error("--cfg wants dot or json, not '%s'", optarg);
				return 2;
			}
			break;
		case OPT_SARIF:
			sarif = 1;
			break;
		case OPT_TYPES:
			cx.types = 1;
			break;
		case OPT_WERROR:
			werror = 1;
			break;
		case OPT_BTF:
		case OPT_CTF: {
			if (!cx.ctypes && !(cx.ctypes = dif_types_new())) {
				fputs("difcheck: out of memory\n", stderr);
				return 2;
			}
			struct dif_errors te;
			dif_errors_clear(&te);
			if (dif_types_load(cx.ctypes,
			                   c == OPT_BTF ? DIF_TYPES_BTF : DIF_TYPES_CTF,
			                   optarg, &te)) {
				for (uint32_t k = 0; k < te.count; k++)
					fprintf(stderr, "difcheck: %s\n", te.list[k].msg);
				dif_types_free(cx.ctypes);
				return 2;
			}
			break;
		}
		case OPT_SCRATCH:
			if (toolio_parse_u64(optarg, &cx.scratch) != 0 || cx.scratch == 0) {
				usage_error("--scratch wants a positive number of bytes, "
				            "not '%s'", optarg);
				return 2;
			}
			break;
		case OPT_LIST:
			for (size_t k = 0; k < NANALYSES; k++)
				printf("%-12s %s\n", analyses[k].name, analyses[k].what);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return toolio_finish("difcheck", 0);
		case 'V':
			printf("difcheck (difvm) %s\n", DIFVM_VERSION);
			return 0;
		default:
			if (toolio_opt_limit("difcheck", c, optarg) == 1)
				break;
			fputs("Try 'difcheck --help' for more information.\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage_error("%s", "no input files");
		return 2;
	}

	/* typecheck leaves unreachable blocks to the cfg pass when it runs */
	for (size_t k = 0; k < NANALYSES; k++) {
		if (strcmp(analyses[k].name, "cfg") == 0)
			cx.cfg_pass = on[k];
		if (strcmp(analyses[k].name, "typecheck") == 0 && cx.types && !on[k]) {
			usage_error("%s", "--types needs the typecheck analysis");
			return 2;
		}
	}
	size_t nfiles = (size_t)(argc - optind);
	if (cfg_form != CFGOUT_NONE) {
		int st = cfgout_run(stdout, cfg_form, argv + optind, nfiles,
		                    cx.profile, cx.profile_set, cx.nregs);
		if (fflush(stdout) != 0) {
			fputs("difcheck: write error on standard output\n", stderr);
			return 2;
		}
		return st;
	}
	struct rpt_file *reps = calloc(nfiles, sizeof(*reps));
	if (!reps) {
		fputs("difcheck: out of memory\n", stderr);
		return 2;
	}
	int status = 0;
	for (size_t i = 0; i < nfiles; i++) {
		const char *path = argv[optind + (int)i];
		int st;
		if (rpt_file_init(&reps[i], path) != 0) {
			reps[i].load_rc = DIF_E_NOMEM;
			st = 2;
		} else {
			cx.path = path;
			/* machine-readable output keeps --types off stdout's document */
			cx.types_out = (json || sarif) ? stderr : stdout;
			st = check_file(path, &cx, on, &reps[i], json || sarif);
			if (st == 0 && werror) {
				struct rpt_summary ws = { 0 };
				rpt_summarize(&reps[i], &ws);
				if (ws.nsev[RPT_WARNING])
					st = 1;
			}
		}
		if (st > status)
			status = st;
		if (!json && !sarif && reps[i].load_rc == 0) {
			rpt_print_text(stdout, &reps[i]);
			if (!quiet) {
				struct rpt_summary s = { 0 };
				rpt_summarize(&reps[i], &s);
				toolio_put_escaped(stdout,
				                   strcmp(path, "-") == 0 ? "<stdin>" : path);
				printf(": %u DIFO%s, %u accepted, %u rejected", s.difos,
				       s.difos == 1 ? "" : "s", s.accepted, s.rejected);
				if (s.nsev[RPT_WARNING] || s.nsev[RPT_NOTE])
					printf(" (%u warning%s, %u note%s)", s.nsev[RPT_WARNING],
					       s.nsev[RPT_WARNING] == 1 ? "" : "s",
					       s.nsev[RPT_NOTE], s.nsev[RPT_NOTE] == 1 ? "" : "s");
				putchar('\n');
			}
		}
	}
	if (sarif)
		rpt_print_sarif(stdout, reps, nfiles, DIFVM_VERSION);
	else if (json)
		rpt_print_json(stdout, reps, nfiles, dif_profile_name(cx.profile),
		               cx.nregs);
	for (size_t i = 0; i < nfiles; i++)
		rpt_file_fini(&reps[i]);
	free(reps);
	dif_types_free(cx.ctypes);
	return toolio_finish("difcheck", status);
}
