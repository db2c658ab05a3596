/* The instruction-set, subroutine and built-in variable tables. */
#include <string.h>

#include "isa.h"

const struct dif_opinfo dif_isa[DIF_OP_COUNT] = {
#define DIF_OPC(name, code, mnem, cls, fl) [code] = { mnem, cls, fl },
#include "isa.def"
#undef DIF_OPC
};

const struct dif_subrinfo dif_subrs[DIF_S_COUNT] = {
#define DIF_SUBR(name, str, fb, il, fl) [DIF_S_##name] = { str, { fb, il }, fl },
#include "subr.def"
#undef DIF_SUBR
};

const struct dif_bvarinfo dif_bvars[DIF_BVAR_COUNT] = {
#define DIF_BVAR(name, id, str, fl) [DIF_BVAR_##name] = { str, id, fl },
#include "var.def"
#undef DIF_BVAR
};

static int profile_ok(enum dif_profile p)
{
	return p == DIF_PROFILE_FREEBSD || p == DIF_PROFILE_ILLUMOS;
}

const struct dif_opinfo *dif_isa_lookup(unsigned op, enum dif_profile p)
{
	if (op >= DIF_OP_COUNT || dif_isa[op].name == NULL)
		return NULL;
	if ((dif_isa[op].flags & DIF_F_ILLUMOS) && p != DIF_PROFILE_ILLUMOS)
		return NULL;
	return &dif_isa[op];
}

int dif_isa_find(const char *mnem, size_t len, enum dif_profile p)
{
	for (unsigned op = 1; op < DIF_OP_COUNT; op++) {
		const struct dif_opinfo *oi = dif_isa_lookup(op, p);
		if (oi && strlen(oi->name) == len && memcmp(oi->name, mnem, len) == 0)
			return (int)op;
	}
	return -1;
}

int dif_isa_scope(const struct dif_opinfo *oi)
{
	if (oi->flags & DIF_F_SCOPE_G)
		return DIF_VSCOPE_GLOBAL;
	if (oi->flags & DIF_F_SCOPE_T)
		return DIF_VSCOPE_THREAD;
	if (oi->flags & DIF_F_SCOPE_L)
		return DIF_VSCOPE_LOCAL;
	return -1;
}

int dif_subr_lookup(unsigned num, enum dif_profile p)
{
	if (!profile_ok(p))
		return -1;
	for (int s = 0; s < DIF_S_COUNT; s++)
		if (dif_subrs[s].num[p] >= 0 && (unsigned)dif_subrs[s].num[p] == num)
			return s;
	return -1;
}

int dif_subr_find(const char *name, size_t len, enum dif_profile p)
{
	if (!profile_ok(p))
		return -1;
	for (int s = 0; s < DIF_S_COUNT; s++)
		if (strlen(dif_subrs[s].name) == len &&
		    memcmp(dif_subrs[s].name, name, len) == 0)
			return dif_subrs[s].num[p];
	return -1;
}

static int bvar_in_profile(const struct dif_bvarinfo *bv, enum dif_profile p)
{
	if ((bv->flags & DIF_BV_FREEBSD) && p != DIF_PROFILE_FREEBSD)
		return 0;
	if ((bv->flags & DIF_BV_ILLUMOS) && p != DIF_PROFILE_ILLUMOS)
		return 0;
	return 1;
}

const struct dif_bvarinfo *dif_bvar_lookup(unsigned id, enum dif_profile p)
{
	for (int i = 0; i < DIF_BVAR_COUNT; i++)
		if (dif_bvars[i].id == id && bvar_in_profile(&dif_bvars[i], p))
			return &dif_bvars[i];
	return NULL;
}

int dif_bvar_find(const char *name, size_t len, enum dif_profile p)
{
	for (int i = 0; i < DIF_BVAR_COUNT; i++)
		if (strlen(dif_bvars[i].name) == len &&
		    memcmp(dif_bvars[i].name, name, len) == 0 &&
		    bvar_in_profile(&dif_bvars[i], p))
			return dif_bvars[i].id;
	return -1;
}

/* Public queries. */

const char *dif_profile_name(enum dif_profile p)
{
	switch (p) {
	case DIF_PROFILE_FREEBSD:
		return "freebsd";
	case DIF_PROFILE_ILLUMOS:
		return "illumos";
	}
	return "unknown";
}

int dif_profile_parse(const char *s, enum dif_profile *out)
{
	if (!out)
		return DIF_E_INVAL;
	if (s && strcmp(s, "freebsd") == 0)
		*out = DIF_PROFILE_FREEBSD;
	else if (s && strcmp(s, "illumos") == 0)
		*out = DIF_PROFILE_ILLUMOS;
	else
		return DIF_E_INVAL;
	return 0;
}

const char *dif_op_name(unsigned op, enum dif_profile p)
{
	const struct dif_opinfo *oi = dif_isa_lookup(op, p);
	return oi ? oi->name : NULL;
}

const char *dif_subr_name(unsigned subr, enum dif_profile p)
{
	int s = dif_subr_lookup(subr, p);
	return s < 0 ? NULL : dif_subrs[s].name;
}

unsigned dif_subr_max(enum dif_profile p)
{
	unsigned max = 0;
	if (!profile_ok(p))
		return 0;
	for (int s = 0; s < DIF_S_COUNT; s++)
		if (dif_subrs[s].num[p] >= 0 && (unsigned)dif_subrs[s].num[p] > max)
			max = (unsigned)dif_subrs[s].num[p];
	return max;
}

const char *dif_var_name(unsigned id, enum dif_profile p)
{
	const struct dif_bvarinfo *bv = dif_bvar_lookup(id, p);
	return bv ? bv->name : NULL;
}
