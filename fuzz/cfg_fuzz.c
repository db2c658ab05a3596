/* libFuzzer harness for cfg/: any instruction words either fail with an
 * error value that names a pc, or give graphs whose every walker query
 * terminates; a rebuild of the same cfg gives the same graph. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* first byte: profile, register count, blocks-only */
	unsigned cfgb = data[0];
	data++;
	size--;
	uint32_t n = (uint32_t)(size / 4);
	if (n > 4096)
		n = 4096;
	uint32_t *text = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!text)
		return 0;
	memcpy(text, data, n * sizeof(uint32_t));
	struct dif_difo *d = NULL;
	DIF_OPTS(dif_difo_parts, parts, .name = "fuzz", .text = text, .textlen = n);
	if (dif_difo_create(&parts, &d, NULL)) {
		free(text);
		return 0;
	}
	DIF_OPTS(dif_cfg_opts, o,
	         .profile = (cfgb & 1) ? DIF_PROFILE_ILLUMOS : DIF_PROFILE_FREEBSD,
	         .nregs = (cfgb & 2) ? 8 : 1 + (cfgb >> 3),
	         .flags = (cfgb & 4) ? DIF_CFG_NO_DEFUSE : 0);
	struct dif_errors errs;
	dif_errors_clear(&errs);
	struct dif_cfg *g = NULL;
	int rc = dif_cfg_build(d, &o, &g, &errs);
	if (rc) {
		if (g || errs.count != 1 || (n && errs.list[0].pc >= n))
			abort();
	} else {
		uint32_t nb = dif_cfg_nblocks(g), nn = dif_du_nnodes(g);
		for (uint32_t b = 0; b < nb; b++) {
			struct dif_block k;
			if (dif_cfg_block(g, b, &k) || k.start > k.end || k.end >= n)
				abort();
			if (k.idom != DIF_CFG_NONE && !dif_cfg_dominates(g, k.idom, b))
				abort();
		}
		struct dif_du_walk *w = dif_du_walk_new(g);
		for (uint32_t i = 0; w && i < nn; i++) {
			const uint32_t *defs;
			const struct dif_use *uses;
			dif_du_reaching(w, i, &defs);
			dif_du_uses_of(w, i, &uses);
			dif_du_origins(w, i, &defs);
		}
		dif_du_walk_free(w);
		if (dif_cfg_rebuild(g, d, &o, NULL) || dif_cfg_nblocks(g) != nb ||
		    dif_du_nnodes(g) != nn)
			abort();
		dif_cfg_free(g);
	}
	dif_difo_free(d);
	free(text);
	return 0;
}
