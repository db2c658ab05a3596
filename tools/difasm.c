/* difasm: assemble DIF listings (`dtrace -S` form or the hand-written
 * syntax) into a canonical listing or a difvm ELF object. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "toolio.h"

static void usage(FILE *f)
{
	fputs(
"Usage: difasm [OPTION]... FILE\n"
"Assemble the DIF programs in FILE (\"-\" reads standard input).\n"
"\n"
"FILE holds `dtrace -S` listings, the hand-written assembly syntax, or a mix\n"
"(see docs/assembly.md). Without -o, every program is printed back as a\n"
"canonical `dtrace -S` listing; with -o they are written to an ELF object.\n"
"\n"
"Options:\n"
"  -o, --output=OUT      write a difvm ELF object to OUT\n"
"      --dof             with -o: write DOF instead (one ECB per program,\n"
"                        its probe description the program's name)\n"
"  -p, --profile=NAME    instruction set and numbering: freebsd (default;\n"
"                        for an object FILE, the profile it records)\n"
"                        or illumos\n"
"      --ids=STYLE       variable-table ids in the printed listing: hex or\n"
"                        dec. Default: with -p, hex on illumos and decimal\n"
"                        on freebsd; without, as the input listing had\n"
"                        them (so listings round-trip), else decimal\n"
"  -n, --names           print a `.difo NAME` line before each listing so\n"
"                        program names survive a round trip\n"
TOOLIO_LIMIT_HELP
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Exit status: 0 on success, 1 if the input does not assemble,\n"
"2 on usage or input/output errors.\n", f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'p' },
		{ "ids", required_argument, NULL, 'i' },
		{ "names", no_argument, NULL, 'n' },
		{ "dof", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOLIO_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *outpath = NULL;
	enum dif_profile prof = DIF_PROFILE_FREEBSD;
	enum dif_varid_style ids = DIF_VARID_PROFILE;
	int prof_set = 0, ids_set = 0;
	int names = 0, dof = 0, ch;

	while ((ch = getopt_long(argc, argv, "o:p:nhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'p':
			prof_set = 1;
			if (toolio_opt_profile("difasm", optarg, &prof))
				return 2;
			break;
		case 'i':
			ids_set = 1;
			if (toolio_opt_ids("difasm", optarg, &ids))
				return 2;
			break;
		case 'n':
			names = 1;
			break;
		case 'D':
			dof = 1;
			break;
		case 'h':
			usage(stdout);
			return toolio_finish("difasm", 0);
		case 'V':
			printf("difasm (difvm) %s\n", DIFVM_VERSION);
			return toolio_finish("difasm", 0);
		default:
			if (toolio_opt_limit("difasm", ch, optarg) == 1)
				break;
			usage(stderr);
			return 2;
		}
	}
	/* Neither given: print the ids as the input listing had them. */
	if (!ids_set && !prof_set)
		ids = DIF_VARID_SOURCE;
	if (dof && !outpath) {
		fprintf(stderr, "difasm: --dof needs -o OUT\n");
		return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "difasm: expected exactly one input file\n");
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	struct dif_errors errs;
	dif_errors_clear(&errs);
	struct dif_module *mod = NULL;
	int rc = toolio_load_as(path, &prof, prof_set, &mod, &errs);
	if (rc) {
		toolio_print_errors(stderr, path, &errs);
		return toolio_load_status(rc, 1);
	}
	int status = 0;
	if (outpath) {
		rc = dof ? toolio_write_dof(outpath, mod, prof, &errs)
		         : toolio_write_object(outpath, mod, prof, &errs);
		if (rc) {
			toolio_print_errors(stderr, outpath, &errs);
			status = rc == DIF_E_IO ? 2 : 1;
		}
	} else {
		DIF_OPTS(dif_dis_opts, dopts, .profile = prof, .varid = ids);
		for (size_t i = 0; i < dif_module_count(mod); i++) {
			const struct dif_difo *d = dif_module_get(mod, i);
			char *text = dif_dis(d, &dopts);
			if (!text) {
				fprintf(stderr, "difasm: out of memory\n");
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
	}
	dif_module_free(mod);
	return toolio_finish("difasm", status);
}
