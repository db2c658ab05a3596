/* specdoc: prints docs/spec.md (the case table) to stdout or to a file. */
#include <stdio.h>

#include "spec.h"

int main(int argc, char **argv)
{
	FILE *f = stdout;
	if (argc > 2) {
		fprintf(stderr, "usage: specdoc [output]\n");
		return 2;
	}
	if (argc == 2 && !(f = fopen(argv[1], "w"))) {
		perror(argv[1]);
		return 1;
	}
	int rc = dc_spec_write_doc(f);
	if (f != stdout && fclose(f) != 0)
		rc = -1;
	return rc ? 1 : 0;
}
