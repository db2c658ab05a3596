/* The model (spec/) as testgen sees it: partitions and outcomes. */
#include <string.h>

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
}

const char *tg_spec_version(void)
{
	return DC_SPEC_VERSION;
}

int tg_model_run(const struct dc_case *c, struct dc_outcome *o,
                 uint32_t *hits)
{
	struct dc_spec_info info;
	memset(&info, 0, sizeof(info));
	int r = dc_spec_run_info(c, o, hits, &info);
	/* rand() makes the value irreproducible: such cases are not kept */
	if (r != DC_SPEC_OK || info.nondet)
		return -1;
	return 0;
}
