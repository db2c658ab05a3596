/* libFuzzer harness for the object reader: any input must give a module or
 * a clean obj-* error, and an accepted module must write and read back. */
#include <stdint.h>
#include <stdlib.h>

#include "difvm/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dif_errors errs;
	struct dif_module *mod = NULL;
	dif_errors_clear(&errs);
	int rc = dif_obj_read(data, size, NULL, &mod, &errs);
	if (rc != 0) {
		if (mod || errs.count != 1)
			abort();
		return 0;
	}
	void *buf = NULL;
	size_t len = 0;
	if (dif_obj_write(mod, NULL, &buf, &len, NULL) != 0)
		abort();
	struct dif_module *again = NULL;
	if (dif_obj_read(buf, len, NULL, &again, NULL) != 0)
		abort();
	if (dif_module_count(again) != dif_module_count(mod))
		abort();
	dif_module_free(again);
	dif_module_free(mod);
	free(buf);
	return 0;
}
