/* libFuzzer harness for the DOF reader: any input must give a DOF or one
 * clean diagnostic; an accepted file must describe itself, and its DIFOs
 * must write as DOF and read back with the same names and programs, be
 * refused cleanly one byte under its module size (max_module), and link
 * (dif_link) or fail with a clean error. The same bytes also go through
 * the HyperTrace program reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/dof.h"
#include "difvm/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Text and table bytes of mod, as the module limit counts them. */
static uint64_t module_bytes(const struct dif_module *mod)
{
	uint64_t n = 0;
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		struct dif_difo_parts p;
		dif_difo_get_parts(dif_module_get(mod, i), &p);
		n += (uint64_t)p.textlen * 4 + (uint64_t)p.intlen * 8 + p.strlen +
		     (uint64_t)p.varlen * 20;
	}
	return n;
}

/* The linker on one input: a module or a clean error. */
static void link_alone(const struct dif_module *mod)
{
	if (!mod)
		return;
	struct dif_link_input in = { "fuzz", mod };
	struct dif_module *out = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	if (dif_link(&in, 1, NULL, &out, &errs) != 0) {
		if (out || errs.count == 0)
			abort();
		return;
	}
	if (dif_module_count(out) != dif_module_count(mod))
		abort();
	dif_module_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dif_errors errs;
	struct dif_module *ht = NULL;
	dif_errors_clear(&errs);
	if (dif_hypertrace_read(data, size, &ht, &errs) != 0) {
		if (ht || errs.count != 1)
			abort();
	}
	link_alone(ht);
	dif_module_free(ht);
	struct dif_dof *dof = NULL;
	dif_errors_clear(&errs);
	int rc = dif_dof_read(data, size, NULL, &dof, &errs);
	if (rc != 0) {
		if (dof || errs.count != 1)
			abort();
		return 0;
	}
	free(dif_dof_describe(dof));
	const struct dif_module *mod = dif_dof_module(dof);
	void *buf = NULL;
	size_t len = 0;
	if (dif_dof_write(mod, NULL, &buf, &len, NULL) != 0)
		abort();
	struct dif_dof *again = NULL;
	if (dif_dof_read(buf, len, NULL, &again, NULL) != 0)
		abort();
	const struct dif_module *m2 = dif_dof_module(again);
	if (dif_module_count(m2) != dif_module_count(mod))
		abort();
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		struct dif_difo_parts a, b;
		dif_difo_get_parts(dif_module_get(mod, i), &a);
		dif_difo_get_parts(dif_module_get(m2, i), &b);
		if (strcmp(a.name, b.name) != 0 || a.textlen != b.textlen ||
		    (a.textlen && memcmp(a.text, b.text, 4 * (size_t)a.textlen)))
			abort();
	}
	dif_dof_free(again);
	uint64_t bytes = module_bytes(mod);
	if (bytes > 1) {
		DIF_OPTS(dif_dof_opts, tight, .max_module = bytes - 1);
		dif_errors_clear(&errs);
		if (dif_dof_read(data, size, &tight, &again, &errs) != DIF_E_LIMIT ||
		    again || errs.count != 1)
			abort();
	}
	link_alone(mod);
	dif_dof_free(dof);
	free(buf);
	return 0;
}
