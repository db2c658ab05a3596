/* difvm ELF objects: reader and writer (docs/object-format.md). */
#include <stdlib.h>
#include <string.h>

#include "difvm/object.h"
#include "difvm/internal.h"

int dif_obj_read(const void *buf, size_t len, const struct dif_obj_opts *opts,
                 struct dif_module **out, struct dif_errors *errs)
{
	(void)buf;
	(void)len;
	(void)opts;
	if (out)
		*out = NULL;
	dif_errf(errs, DIF_E_OBJ_FORMAT, DIF_NO_PC, NULL, NULL,
	         "object files not supported yet");
	return DIF_E_OBJ_FORMAT;
}

int dif_obj_write(const struct dif_module *mod, const struct dif_obj_opts *opts,
                  void **buf, size_t *len, struct dif_errors *errs)
{
	(void)mod;
	(void)opts;
	if (buf)
		*buf = NULL;
	if (len)
		*len = 0;
	dif_errf(errs, DIF_E_OBJ_FORMAT, DIF_NO_PC, NULL, NULL,
	         "object files not supported yet");
	return DIF_E_OBJ_FORMAT;
}

int dif_obj_profile(const void *buf, size_t len, enum dif_profile *out)
{
	(void)buf;
	(void)len;
	(void)out;
	return DIF_E_OBJ_FORMAT;
}
