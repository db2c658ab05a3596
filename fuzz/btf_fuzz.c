/* libFuzzer harness for the BTF reader: any input is a type file or a
 * clean bad-types error; an accepted one answers queries without faults. */
#include <stdint.h>
#include <stdlib.h>

#include "difvm/reloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dif_types *t = dif_types_new();
	struct dif_errors errs;
	dif_errors_clear(&errs);
	if (!t)
		return 0;
	int rc = dif_types_load_btf_buf(t, data, size, "fuzz", &errs);
	if (rc != 0) {
		if (dif_types_count(t) != 0 || errs.count == 0 || !errs.list[0].msg[0])
			abort();
	} else {
		/* names a gcc-built or hand-built file may hold */
		static const char *const types[] = { "struct s", "t", "int",
		                                     "enum e", "struct stat" };
		static const char *const paths[] = { "a", "b", "a.b", "b[1]", "X" };
		for (unsigned k = 1; k < DIF_RELOC_POISON; k++)
			for (size_t i = 0; i < 5; i++)
				for (size_t j = 0; j < 5; j++) {
					uint64_t v;
					dif_types_resolve(t, k, types[i],
					                  k == DIF_RELOC_SIZEOF ? NULL : paths[j],
					                  (int)(j & 1), &v, NULL);
				}
	}
	dif_types_free(t);
	return 0;
}
