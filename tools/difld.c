/* difld: link DIF objects and listings into one object (docs/linking.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/link.h"
#include "difvm/reloc.h"
#include "toolio.h"

static void usage(FILE *f)
{
	fputs(
"Usage: difld [OPTION]... -o OUT FILE...\n"
"       difld [-p NAME] --verify BASE LINKED\n"
"Link the DIF programs of every FILE into one difvm ELF object OUT.\n"
"\n"
"Each FILE is a difvm object, an assembly listing, DOF (raw or in an ELF\n"
".SUNW_dof section) or a HyperTrace program (\"-\" reads standard input\n"
"once). Program (DIFO) names are symbols and must be unique across\n"
"the inputs; user variables are merged by name, scope and kind and get one\n"
"id each; integer and string tables are deduplicated. The same inputs in the\n"
"same order give byte-identical output. The result is validated before it\n"
"is written.\n"
"\n"
"Options:\n"
"  -o, --output=OUT      the object to write (required)\n"
"  -p, --profile=NAME    freebsd or illumos. Default: the profile the input\n"
"                        objects record (they must agree), else freebsd\n"
"      --btf=FILE        resolve type relocations against BTF: raw BTF such\n"
"                        as /sys/kernel/btf/vmlinux, or an ELF object with\n"
"                        .BTF (gcc -gbtf -c)\n"
"      --ctf=FILE        ... against CTF: an ELF object with .ctf (gcc -gctf\n"
"                        -c) or a CTF archive. Type files given with --btf\n"
"                        and --ctf are searched in command-line order\n"
"      --poison          link even when a relocation cannot be resolved: the\n"
"                        instruction faults ILLOP at run time with the reason\n"
"      --verify BASE LINKED  check that LINKED (difld's output for the one\n"
"                        input BASE) differs from BASE only by the rewrites\n"
"                        linking may make; names the first other difference\n"
TOOLIO_LIMIT_HELP
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Exit status: 0 on success, 1 if the inputs do not link or the result does\n"
"not validate, 2 on usage or input/output errors.\n", f);
}

/* Everything main() owns, freed in one place. */
struct inputs {
	struct dif_link_input *in;
	size_t n;
};

/* Type files and relocation options, in command-line order. */
struct relopts {
	struct dif_types *types;
	int poison;
};

/* Whether any DIFO of mod carries a relocation or a relocation opcode. */
static int has_relocs(const struct dif_module *mod, enum dif_profile prof)
{
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		struct dif_difo_parts p;
		dif_difo_get_parts(dif_module_get(mod, i), &p);
		if (p.nrelocs)
			return 1;
		for (uint32_t pc = 0; pc < p.textlen; pc++) {
			const char *n = dif_op_name(p.text[pc] >> 24, prof);
			if (n && (!strcmp(n, "usetx") || !strcmp(n, "uload") ||
			          !strcmp(n, "uuload") || !strcmp(n, "typecast")))
				return 1;
		}
	}
	return 0;
}

static void print_plain(const struct dif_errors *errs)
{
	for (uint32_t i = 0; i < errs->count; i++) {
		/* type names, members and paths come from the inputs: their
		 * control bytes are escaped (\xNN); the rest stays as is */
		fputs("difld: error: ", stderr);
		for (const char *m = errs->list[i].msg; *m; m++) {
			unsigned char ch = (unsigned char)*m;
			if (ch < 0x20 || ch == 0x7f)
				fprintf(stderr, "\\x%02x", ch);
			else
				fputc(ch, stderr);
		}
		fputc('\n', stderr);
	}
	if (errs->dropped)
		fprintf(stderr, "difld: ... %u more errors\n", errs->dropped);
}

/* --poison linked anyway: say where, so that it is not silent. */
static void warn_poisoned(const char *file, const struct dif_module *mod)
{
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		const struct dif_difo *d = dif_module_get(mod, i);
		struct dif_difo_parts p;
		dif_difo_get_parts(d, &p);
		for (uint32_t k = 0; k < p.nrelocs; k++) {
			if (p.relocs[k].kind != DIF_RELOC_POISON)
				continue;
			fputs("difld: warning: ", stderr);
			toolio_put_escaped(stderr, file);
			fputs(": DIFO '", stderr);
			toolio_put_escaped(stderr, dif_difo_name(d));
			fprintf(stderr, "' pc %u poisoned (faults ILLOP if reached): ",
			        p.relocs[k].pc);
			if (p.relocs[k].path < p.symlen)
				toolio_put_escaped(stderr, p.symtab + p.relocs[k].path);
			fputc('\n', stderr);
		}
	}
}

/* Resolves the type relocations of each input in place (before merging,
 * so messages name the input file). */
static int relocate_all(struct inputs *ins, enum dif_profile prof,
                        const struct relopts *ro)
{
	int status = 0;
	for (size_t i = 0; i < ins->n; i++) {
		if (!has_relocs(ins->in[i].mod, prof))
			continue;
		struct dif_errors errs;
		dif_errors_clear(&errs);
		DIF_OPTS(dif_reloc_opts, o, .profile = prof,
		         .flags = ro->poison ? DIF_RELOC_F_POISON : 0,
		         .object = ins->in[i].name);
		struct dif_module *out = NULL;
		if (dif_relocate(ins->in[i].mod, ro->types, &o, &out, &errs)) {
			print_plain(&errs);
			status = 1;
			continue;
		}
		dif_module_free((struct dif_module *)ins->in[i].mod);
		ins->in[i].mod = out;
		warn_poisoned(ins->in[i].name, out);
	}
	return status;
}

/* difld --verify BASE LINKED */
static int verify(const char *base, const char *linked, enum dif_profile prof,
                  int prof_set)
{
	struct dif_module *mb = NULL, *ml = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	enum dif_profile pb = prof, pl = prof;
	int rc = toolio_load_as(base, &pb, prof_set, &mb, &errs);
	if (rc) {
		toolio_print_errors(stderr, base, &errs);
		return 2;
	}
	rc = toolio_load_as(linked, &pl, prof_set, &ml, &errs);
	if (rc) {
		toolio_print_errors(stderr, linked, &errs);
		dif_module_free(mb);
		return 2;
	}
	/* difld also merges (renumbers variables, deduplicates tables): put
	 * the base through the same merge, so only relocations can differ */
	struct dif_link_input in = { base, mb };
	DIF_OPTS(dif_link_opts, lo, .profile = pb);
	struct dif_module *merged = NULL;
	if (dif_link(&in, 1, &lo, &merged, &errs)) {
		toolio_print_errors(stderr, base, &errs);
		dif_module_free(mb);
		dif_module_free(ml);
		return 1;
	}
	dif_module_free(mb);
	mb = merged;
	DIF_OPTS(dif_reloc_opts, o, .profile = pb, .object = linked);
	int status = 0;
	if (dif_reloc_verify(mb, ml, &o, &errs)) {
		print_plain(&errs);
		status = 1;
	} else {
		printf("%s: only allowed relocation rewrites of %s\n", linked, base);
	}
	dif_module_free(mb);
	dif_module_free(ml);
	return status;
}

static void free_inputs(struct inputs *ins)
{
	for (size_t i = 0; i < ins->n; i++)
		dif_module_free((struct dif_module *)ins->in[i].mod);
	free(ins->in);
}

/* Reads every input; objects fix the profile unless -p did. */
static int load_all(char **paths, size_t n, enum dif_profile *prof,
                    int prof_set, struct inputs *ins)
{
	ins->in = calloc(n, sizeof(*ins->in));
	if (!ins->in) {
		fprintf(stderr, "difld: out of memory\n");
		return 2;
	}
	const char *first_obj = NULL;
	enum dif_profile obj_prof = *prof;
	int stdin_seen = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(paths[i], "-") == 0 && stdin_seen++) {
			fprintf(stderr, "difld: standard input ('-') can be read only "
			                "once\n");
			return 2;
		}
	for (size_t i = 0; i < n; i++) {
		struct dif_errors errs;
		dif_errors_clear(&errs);
		enum dif_profile p = *prof;
		struct dif_module *mod = NULL;
		int is_obj = 0;
		int rc = toolio_load_kind(paths[i], &p, prof_set, &is_obj, &mod,
		                          &errs);
		if (rc) {
			toolio_print_errors(stderr, paths[i], &errs);
			return toolio_load_status(rc, 1);
		}
		ins->in[ins->n].name = paths[i];
		ins->in[ins->n++].mod = mod;
		if (!prof_set && is_obj) {
			if (first_obj && p != obj_prof) {
				fprintf(stderr,
				        "difld: %s was built for %s but %s for %s; "
				        "choose one with -p\n", first_obj,
				        dif_profile_name(obj_prof), paths[i],
				        dif_profile_name(p));
				return 1;
			}
			first_obj = paths[i];
			obj_prof = p;
		}
	}
	if (first_obj)
		*prof = obj_prof;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'p' },
		{ "btf", required_argument, NULL, 'B' },
		{ "ctf", required_argument, NULL, 'C' },
		{ "poison", no_argument, NULL, 'P' },
		{ "verify", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOLIO_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *outpath = NULL;
	enum dif_profile prof = DIF_PROFILE_FREEBSD;
	int prof_set = 0, ch, do_verify = 0;
	struct relopts ro = { dif_types_new(), 0 };
	if (!ro.types) {
		fprintf(stderr, "difld: out of memory\n");
		return 2;
	}

	while ((ch = getopt_long(argc, argv, "o:p:hV", longopts, NULL)) != -1) {
		int lim = toolio_opt_limit("difld", ch, optarg);
		if (lim < 0) {
			dif_types_free(ro.types);
			return 2;
		}
		if (lim)
			continue;
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'p':
			prof_set = 1;
			if (toolio_opt_profile("difld", optarg, &prof)) {
				dif_types_free(ro.types);
				return 2;
			}
			break;
		case 'B':
		case 'C': {
			struct dif_errors te;
			dif_errors_clear(&te);
			if (dif_types_load(ro.types, ch == 'B' ? DIF_TYPES_BTF
			                                       : DIF_TYPES_CTF,
			                   optarg, &te)) {
				print_plain(&te);
				dif_types_free(ro.types);
				return te.count && te.list[0].code == DIF_E_IO ? 2 : 1;
			}
			break;
		}
		case 'P':
			ro.poison = 1;
			break;
		case 'v':
			do_verify = 1;
			break;
		case 'h':
			usage(stdout);
			dif_types_free(ro.types);
			return 0;
		case 'V':
			printf("difld (difvm) %s\n", DIFVM_VERSION);
			dif_types_free(ro.types);
			return 0;
		default:
			if (toolio_opt_limit("difld", ch, optarg) == 1)
				break;
			usage(stderr);
			dif_types_free(ro.types);
			return 2;
		}
	}
	if (do_verify) {
		dif_types_free(ro.types);
		if (argc - optind != 2) {
			fprintf(stderr, "difld: --verify takes BASE and LINKED\n");
			return 2;
		}
		return verify(argv[optind], argv[optind + 1], prof, prof_set);
	}
	if (!outpath || optind >= argc) {
		fprintf(stderr, "difld: %s\n", !outpath ? "-o OUT is required"
		                                        : "no input files");
		usage(stderr);
		dif_types_free(ro.types);
		return 2;
	}
	struct inputs ins = { NULL, 0 };
	int status = load_all(argv + optind, (size_t)(argc - optind), &prof,
	                      prof_set, &ins);
	struct dif_module *out = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	if (status == 0)
		status = relocate_all(&ins, prof, &ro);
	if (status == 0) {
		DIF_OPTS(dif_link_opts, lo, .profile = prof);
		if (dif_link(ins.in, ins.n, &lo, &out, &errs)) {
			toolio_print_errors(stderr, "difld", &errs);
			status = 1;
		}
	}
	if (status == 0 && dif_module_count(out) == 0) {
		/* e.g. DOF with USDT providers only: nothing to link */
		fprintf(stderr, "difld: error: the inputs hold no DIF program\n");
		status = 1;
	}
	if (status == 0) {
		DIF_OPTS(dif_validate_opts, vo, .profile = prof);
		if (dif_validate_module(out, &vo, &errs)) {
			fprintf(stderr, "difld: the linked programs do not "
			        "validate:\n");
			toolio_print_errors(stderr, outpath, &errs);
			status = 1;
		}
	}
	if (status == 0) {
		int rc = toolio_write_object(outpath, out, prof, &errs);
		if (rc) {
			toolio_print_errors(stderr, outpath, &errs);
			status = rc == DIF_E_IO ? 2 : 1;
		}
	}
	dif_module_free(out);
	free_inputs(&ins);
	dif_types_free(ro.types);
	return status;
}
