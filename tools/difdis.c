/* difdis: print the DIF programs of a listing or object file exactly as
 * `dtrace -S` would. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/dof.h"
#include "toolio.h"

static void usage(FILE *f)
{
	fputs(
"Usage: difdis [OPTION]... FILE\n"
"Print every DIF program in FILE as a `dtrace -S` listing.\n"
"\n"
"FILE is a difvm ELF object, DOF (raw, or an ELF file with a .SUNW_dof\n"
"section) or an assembly listing (told apart by the contents, not the\n"
"name); \"-\" reads standard input. DIFOs read from DOF are named after\n"
"their probe descriptions (docs/linking.md).\n"
"\n"
"Options:\n"
"  -p, --profile=NAME    freebsd (default) or illumos: opcode 80, the\n"
"                        subroutine names and the id style follow it.\n"
"                        Default for an object: the profile it records\n"
"      --ids=STYLE       variable-table ids: hex (illumos) or dec (FreeBSD).\n"
"                        Default: with -p, the profile's style; without,\n"
"                        the style of the listing the program was read\n"
"                        from (kept in objects), else decimal\n"
"  -d, --difo=NAME       print only the program called NAME\n"
"  -n, --names           print a `.difo NAME` line before each listing\n"
"      --dof-info        FILE is DOF: print its header, sections, USDT\n"
"                        providers with their probes and offsets, ECBs,\n"
"                        relocations and DIFO names instead\n"
TOOLIO_LIMIT_HELP
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Exit status: 0 on success, 1 if FILE holds bad programs or NAME is not\n"
"there, 2 on usage or input/output errors.\n", f);
}

static int print_dof_info(const char *path, enum dif_profile prof)
{
	struct dif_errors errs;
	dif_errors_clear(&errs);
	struct dif_dof *dof = NULL;
	int rc = toolio_load_dof(path, prof, &dof, &errs);
	if (rc) {
		toolio_print_errors(stderr, path, &errs);
		return rc == DIF_E_IO ? 2 : 1;
	}
	char *text = dif_dof_describe(dof);
	dif_dof_free(dof);
	if (!text) {
		fprintf(stderr, "difdis: out of memory\n");
		return 2;
	}
	fputs(text, stdout);
	free(text);
	if (fflush(stdout) != 0) {
		perror("difdis: standard output");
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "ids", required_argument, NULL, 'i' },
		{ "difo", required_argument, NULL, 'd' },
		{ "names", no_argument, NULL, 'n' },
		{ "dof-info", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOLIO_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	enum dif_profile prof = DIF_PROFILE_FREEBSD;
	enum dif_varid_style ids = DIF_VARID_PROFILE;
	int prof_set = 0, ids_set = 0;
	const char *only = NULL;
	int names = 0, dof_info = 0, ch;

	while ((ch = getopt_long(argc, argv, "p:d:nhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			prof_set = 1;
			if (toolio_opt_profile("difdis", optarg, &prof))
				return 2;
			break;
		case 'i':
			ids_set = 1;
			if (toolio_opt_ids("difdis", optarg, &ids))
				return 2;
			break;
		case 'd':
			only = optarg;
			break;
		case 'n':
			names = 1;
			break;
		case 'I':
			dof_info = 1;
			break;
		case 'h':
			usage(stdout);
			return toolio_finish("difdis", 0);
		case 'V':
			printf("difdis (difvm) %s\n", DIFVM_VERSION);
			return toolio_finish("difdis", 0);
		default:
			if (toolio_opt_limit("difdis", ch, optarg) == 1)
				break;
			usage(stderr);
			return 2;
		}
	}
	/* Neither given: print the ids as the input listing had them. */
	if (!ids_set && !prof_set)
		ids = DIF_VARID_SOURCE;
	if (optind != argc - 1) {
		fprintf(stderr, "difdis: expected exactly one input file\n");
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	struct dif_errors errs;
	dif_errors_clear(&errs);
	if (dof_info)
		return print_dof_info(path, prof);
	struct dif_module *mod = NULL;
	int rc = toolio_load_as(path, &prof, prof_set, &mod, &errs);
	if (rc) {
		toolio_print_errors(stderr, path, &errs);
		return toolio_load_status(rc, 1);
	}
	if (only && !dif_module_find(mod, only)) {
		fputs("difdis: ", stderr);
		toolio_put_escaped(stderr, path);
		fputs(": no program named '", stderr);
		toolio_put_escaped(stderr, only);
		fputs("'\n", stderr);
		dif_module_free(mod);
		return 1;
	}
	int status = 0;
	DIF_OPTS(dif_dis_opts, dopts, .profile = prof, .varid = ids);
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		const struct dif_difo *d = dif_module_get(mod, i);
		if (only && strcmp(dif_difo_name(d), only) != 0)
			continue;
		char *text = dif_dis(d, &dopts);
		if (!text) {
			fprintf(stderr, "difdis: out of memory\n");
			status = 2;
			break;
		}
		if (names) { /* DOF names come from the file: escaped */
			fputs(".difo ", stdout);
			toolio_put_escaped(stdout, dif_difo_name(d));
			putchar('\n');
		}
		fputs(text, stdout);
		free(text);
	}
	dif_module_free(mod);
	return toolio_finish("difdis", status);
}
