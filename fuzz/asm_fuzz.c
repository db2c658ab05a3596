/* libFuzzer harness for the assembler: any input must assemble or fail
 * with a located error; whatever assembles must disassemble and read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum dif_profile p = size && (data[0] & 1) ? DIF_PROFILE_ILLUMOS
	                                           : DIF_PROFILE_FREEBSD;
	DIF_OPTS(dif_asm_opts, o, .profile = p);
	struct dif_errors errs;
	dif_errors_clear(&errs);
	struct dif_module *m = NULL;
	if (dif_asm((const char *)data, size, &o, &m, &errs)) {
		if (errs.count == 0 || errs.list[0].line == 0)
			abort();
		return 0;
	}
	DIF_OPTS(dif_dis_opts, d, .profile = p);
	for (size_t i = 0; i < dif_module_count(m); i++) {
		char *t = dif_dis(dif_module_get(m, i), &d);
		if (!t)
			abort();
		/* a printed listing reads back (not always to the same text:
		 * strings with line breaks cannot be shown in a listing) */
		struct dif_module *m2 = NULL;
		if (dif_asm(t, strlen(t), &o, &m2, NULL) == 0) {
			for (size_t k = 0; k < dif_module_count(m2); k++)
				free(dif_dis(dif_module_get(m2, k), &d));
			dif_module_free(m2);
		}
		free(t);
	}
	dif_module_free(m);
	return 0;
}
