/* difrun --conformance: the runtime protocol served by difvm. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "difvm/difvm.h"
#include "testgen/tg.h"
#include "toolio.h"

static int run_difvm(void *ud, const struct dc_case *c, struct dc_outcome *o,
                     struct tg_err *e)
{
	(void)ud;
	return tg_difvm_run(c, o, e);
}

int difrun_conformance(int argc, char **argv)
{
	size_t max_frame = TG_FRAME_MAX;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--conformance") == 0)
			continue;
		if (strncmp(argv[i], "--max-frame=", 12) == 0) {
			uint64_t v;
			if (toolio_parse_u64(argv[i] + 12, &v) || v == 0 ||
			    v > 0xffffffffu) {
				fprintf(stderr, "%s: bad --max-frame '%s' (1 to "
				        "4294967295 bytes)\n", argv[0], argv[i] + 12);
				return 2;
			}
			max_frame = (size_t)v;
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: %s --conformance [--max-frame=BYTES]\n"
			       "Reads conformance cases on standard input and writes one\n"
			       "outcome per case on standard output, in the framed CBOR\n"
			       "protocol of docs/runtime-protocol.md (version %u). The\n"
			       "first frame written is the hello. A case frame over\n"
			       "--max-frame bytes (default 64 MiB) ends the session\n"
			       "with an error (docs/limits.md).\n",
			       argv[0], TG_PROTO_VERSION);
			return 0;
		}
		fprintf(stderr, "%s: --conformance: unexpected argument '%s'\n",
		        argv[0], argv[i]);
		return 2;
	}
	/* one VM per case: keep freed arenas in the heap (see difgen) */
	mallopt(M_MMAP_THRESHOLD, 512 << 10);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	return tg_serve_max(stdin, stdout, "difvm " DIFVM_VERSION, run_difvm,
	                    NULL, max_frame);
}
