/* The model (spec/) as testgen sees it: partitions and outcomes. */
#include <stdlib.h>
#include <string.h>

#include "difvm/isa.h"
#include "spec/spec.h"
#include "tg.h"

size_t tg_nparts(void)
{
	return dc_spec_ncases();
}

void tg_part_at(size_t i, struct tg_part *out)
{
	const struct dc_spec_case *s = dc_spec_case_at(i);
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	out->insn = s->insn;
	out->name = s->name;
	out->guard = s->guard;
	out->effect = s->effect;
	out->cite = s->cite;
	out->profiles = s->profiles;
	out->hosts = s->hosts;
}

bool tg_part_applies(size_t i, const char **why)
{
	const struct dc_spec_case *s = dc_spec_case_at(i);
	*why = NULL;
	if (!s)
		return false;
	if (!(s->profiles & DC_PM_ALL)) {
		*why = "no profile";
		return false;
	}
	if (s->hosts && !(s->hosts & dc_spec_host())) {
		*why = s->hosts == DC_HOST_BE ? "big-endian hosts only"
		                              : "little-endian hosts only";
		return false;
	}
	return true;
}

const char *tg_spec_version(void)
{
	return DC_SPEC_VERSION;
}

static int rand_discarded(const struct dc_case *c)
{
	for (uint32_t i = 0; i < c->textlen; i++) {
		uint32_t w = c->text[i];
		if (DIF_I_OP(w) != DIF_OPC_CALL)
			continue;
		const char *n = dif_subr_name(DIF_I_INDEX(w),
		                              (enum dif_profile)c->profile);
		if (!n || strcmp(n, "rand") != 0)
			continue;
		if (i + 1 >= c->textlen ||
		    c->text[i + 1] != DIF_ENC_R(DIF_OPC_MOV, 0, 0, DIF_I_RD(w)))
			return 0;
		/* nothing may branch onto the discarding mov */
		for (uint32_t j = 0; j < c->textlen; j++) {
			uint32_t b = c->text[j];
			if (DIF_I_OP(b) >= DIF_OPC_BA && DIF_I_OP(b) <= DIF_OPC_BLEU &&
			    DIF_I_LABEL(b) == i + 1)
				return 0;
		}
	}
	return 1;
}

int tg_model_run(const struct dc_case *c, struct dc_outcome *o,
                 uint32_t *hits)
{
	struct dc_spec_info info;
	memset(&info, 0, sizeof(info));
	int r = dc_spec_run_info(c, o, hits, &info);
	if (r != DC_SPEC_OK)
		return -1;
	/* rand() makes values irreproducible: keep a case only when every
	 * rand() result is discarded by the next instruction */
	if (info.nondet && !rand_discarded(c))
		return -1;
	return 0;
}

bool tg_model_observes(const struct dc_case *c, const struct dc_outcome *o,
                       size_t p, uint32_t nhits)
{
	struct dc_outcome *q = malloc(sizeof(*q));
	bool seen = false;
	if (!q)
		return false;
	/* one firing at a time: perturbing all of them could cancel out */
	for (uint32_t k = 0; k < nhits && k < 4 && !seen; k++) {
		int fired = 0;
		if (dc_spec_run_perturbed(c, q, p, k, &fired) == DC_SPEC_OK &&
		    fired && !tg_outcome_equal(o, q))
			seen = true;
	}
	free(q);
	return seen;
}
