/* difld: link DIF objects and listings into one object (docs/linking.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/link.h"
#include "toolio.h"

static void usage(FILE *f)
{
	fputs(
"Usage: difld [OPTION]... -o OUT FILE...\n"
"Link the DIF programs of every FILE into one difvm ELF object OUT.\n"
"\n"
"Each FILE is a difvm object or an assembly listing (\"-\" reads standard\n"
"input once). Program (DIFO) names are symbols and must be unique across\n"
"the inputs; user variables are merged by name, scope and kind and get one\n"
"id each; integer and string tables are deduplicated. The same inputs in the\n"
"same order give byte-identical output. The result is validated before it\n"
"is written.\n"
"\n"
"Options:\n"
"  -o, --output=OUT      the object to write (required)\n"
"  -p, --profile=NAME    freebsd or illumos. Default: the profile the input\n"
"                        objects record (they must agree), else freebsd\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOLIO_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *outpath = NULL;
	enum dif_profile prof = DIF_PROFILE_FREEBSD;
	int prof_set = 0, ch;

	while ((ch = getopt_long(argc, argv, "o:p:hV", longopts, NULL)) != -1) {
		int lim = toolio_opt_limit("difld", ch, optarg);
		if (lim < 0)
			return 2;
		if (lim)
			continue;
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'p':
			prof_set = 1;
			if (toolio_opt_profile("difld", optarg, &prof))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("difld (difvm) %s\n", DIFVM_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!outpath || optind >= argc) {
		fprintf(stderr, "difld: %s\n", !outpath ? "-o OUT is required"
		                                        : "no input files");
		usage(stderr);
		return 2;
	}
	struct inputs ins = { NULL, 0 };
	int status = load_all(argv + optind, (size_t)(argc - optind), &prof,
	                      prof_set, &ins);
	struct dif_module *out = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	if (status == 0) {
		DIF_OPTS(dif_link_opts, lo, .profile = prof);
		if (dif_link(ins.in, ins.n, &lo, &out, &errs)) {
			toolio_print_errors(stderr, "difld", &errs);
			status = 1;
		}
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
	return status;
}
