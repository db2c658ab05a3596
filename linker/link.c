/*
 * The linker (docs/linking.md): merges modules into one. DIFO names are
 * program symbols; user variables are merged by (name, scope, kind) and
 * renumbered; integer and string tables are deduplicated per DIFO.
 *
 * Two passes: the first collects every DIFO name and every variable and
 * settles each variable's id and type (reporting conflicts), the second
 * rebuilds each DIFO with its instructions and tables rewritten. Every
 * lookup by name is a hash; the order of the output follows the order of
 * the inputs only, so the result is deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/link.h"
#include "difvm/internal.h"
#include "difvm/hash.h"

#define NSPACE 3u   /* id spaces: global, thread, local (enum dif_var_scope) */
#define KEY_UNKNOWN 0xffu

static const char *const scope_name[NSPACE] = {"global", "thread-local",
                                               "clause-local"};

/* Key tuple of an associative array: element kinds as pushed. */
enum { KE_VAL = 1, KE_REF_CTF = 2, KE_REF_STR = 3 };
struct keysig {
	uint8_t n; /* KEY_UNKNOWN: not seen */
	uint8_t e[DIF_NTREGS];
};

/* One merged variable. */
struct gvar {
	const char *name; /* points into an input DIFO's string table */
	uint8_t scope, kind;
	uint16_t id;      /* the new id */
	struct dif_type type;
	uint32_t in, difo; /* where it was first seen (for messages) */
	struct keysig key;
	uint32_t key_in, key_difo;
};

struct lk {
	const struct dif_link_input *in;
	size_t nin;
	enum dif_profile profile;
	struct dif_errors *errs;
	struct dif_hmap names; /* DIFO name -> (input << 32 | difo) */
	struct dif_hmap vars;  /* scope byte + name -> index in v */
	struct gvar *v;
	size_t nv, cap;
	uint32_t next[NSPACE];
	char *unnamed; /* "input N" for inputs without a name */
};

#define UNNAMED_LEN 24u

static const char *in_name(const struct lk *k, size_t i)
{
	return k->in[i].name ? k->in[i].name : k->unnamed + UNNAMED_LEN * i;
}

static const struct dif_difo *difo_at(const struct lk *k, size_t i, size_t d)
{
	return dif_module_get(k->in[i].mod, d);
}

static void type_text(const struct dif_type *t, char *buf, size_t cap)
{
	if (t->kind == DIF_TYPE_STRING)
		snprintf(buf, cap, "string (%u bytes)", t->size);
	else if (!(t->flags & (DIF_TF_BYREF | DIF_TF_BYUREF)))
		snprintf(buf, cap, "integer (%u bytes)", t->size);
	else
		snprintf(buf, cap, "by-%sreference CTF kind %u (%u bytes)",
		         (t->flags & DIF_TF_BYUREF) ? "user-" : "", t->ckind,
		         t->size);
}

static int nomem(struct lk *k)
{
	dif_errf(k->errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL,
	         "link: out of memory");
	return DIF_E_NOMEM;
}

/* The name at a string-table offset, or NULL if out of range. */
static const char *str_at(const struct dif_difo *dp, uint32_t off)
{
	return off < dp->strlen ? dp->strtab + off : NULL;
}

/* Merges type t (seen in input i, DIFO d) into variable g. */
static int merge_type(struct lk *k, struct gvar *g, const struct dif_type *t,
                      size_t i, size_t d)
{
	struct dif_type *m = &g->type;
	int by_value = t->kind == DIF_TYPE_CTF &&
	               !(t->flags & (DIF_TF_BYREF | DIF_TF_BYUREF));
	int m_by_value = m->kind == DIF_TYPE_CTF &&
	                 !(m->flags & (DIF_TF_BYREF | DIF_TF_BYUREF));
	if (t->kind == m->kind && t->flags == m->flags && t->size == m->size)
		return 0;
	if (by_value && m_by_value) {
		/* integers widen to the largest, as HyperTrace does */
		if (t->size > m->size)
			*m = *t;
		return 0;
	}
	if (t->kind == DIF_TYPE_STRING && m->kind == DIF_TYPE_STRING &&
	    t->flags == m->flags) {
		/* a string size is a bound: the larger holds both */
		if (t->size > m->size)
			*m = *t;
		return 0;
	}
	char a[64], b[64];
	type_text(m, a, sizeof(a));
	type_text(t, b, sizeof(b));
	const char *dn = dif_difo_name(difo_at(k, i, d));
	int code = t->kind != m->kind || by_value != m_by_value
	                   ? DIF_E_VAR_CHG_FLAGS
	                   : (t->flags != m->flags ? DIF_E_VAR_CHG_FLAGS
	                                           : DIF_E_VAR_CHG_SIZE);
	dif_errf(k->errs, code, DIF_NO_PC, dn, NULL,
	         "variable '%s' (%s): %s in %s DIFO '%s' conflicts with %s in "
	         "%s DIFO '%s'", g->name, scope_name[g->scope], a,
	         in_name(k, g->in), dif_difo_name(difo_at(k, g->in, g->difo)), b,
	         in_name(k, i), dn);
	return code;
}

/* Looks up (scope, name), creating the variable with a new id. */
static int find_var(struct lk *k, const struct dif_var *row, const char *name,
                    size_t i, size_t d, struct gvar **out)
{
	size_t nl = strlen(name);
	char stack[128];
	char *key = nl + 1 <= sizeof(stack) ? stack : malloc(nl + 1);
	if (!key)
		return nomem(k);
	key[0] = (char)row->scope;
	memcpy(key + 1, name, nl);
	uint64_t old = 0;
	int r = dif_hm_add(&k->vars, key, nl + 1, k->nv, &old);
	if (key != stack)
		free(key);
	if (r < 0)
		return nomem(k);
	if (r == 0) {
		*out = &k->v[old];
		return 0;
	}
	if (k->next[row->scope] > DIF_VAR_OTHER_MAX) {
		dif_errf(k->errs, DIF_E_LIMIT, DIF_NO_PC,
		         dif_difo_name(difo_at(k, i, d)), NULL,
		         "link: more than %u %s variables (at '%s' in %s)",
		         DIF_LINK_MAX_VARS, scope_name[row->scope], name,
		         in_name(k, i));
		return DIF_E_LIMIT;
	}
	if (k->nv == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 32;
		struct gvar *nv = realloc(k->v, cap * sizeof(*nv));
		if (!nv)
			return nomem(k);
		k->v = nv;
		k->cap = cap;
	}
	struct gvar *g = &k->v[k->nv++];
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->scope = row->scope;
	g->kind = row->kind;
	g->id = (uint16_t)k->next[row->scope]++;
	g->type = row->type;
	g->in = (uint32_t)i;
	g->difo = (uint32_t)d;
	g->key.n = KEY_UNKNOWN;
	*out = g;
	return 0;
}

/* The user-variable row of a DIFO with (scope, id), or NULL. Variable
 * tables are short (one row per variable a DIFO uses), and the map built
 * per DIFO below makes this one probe. */
struct idmap {
	struct dif_hmap m; /* (scope, id) -> gvar index */
};

static int idmap_key(unsigned scope, unsigned id, uint8_t out[3])
{
	out[0] = (uint8_t)scope;
	out[1] = (uint8_t)(id >> 8);
	out[2] = (uint8_t)id;
	return 3;
}

/* Pass 1 for one DIFO: its variables, checked and merged. */
static int collect_vars(struct lk *k, size_t i, size_t d, struct idmap *im)
{
	const struct dif_difo *dp = difo_at(k, i, d);
	for (uint32_t r = 0; r < dp->varlen; r++) {
		const struct dif_var *row = &dp->vartab[r];
		if (row->id < DIF_VAR_OTHER_UBASE)
			continue; /* built-ins keep their ids */
		if (row->scope >= NSPACE) {
			dif_errf(k->errs, DIF_E_VAR_SCOPE, DIF_NO_PC, dp->name, NULL,
			         "%s DIFO '%s': variable table row %u has scope %u",
			         in_name(k, i), dp->name, r, row->scope);
			return DIF_E_VAR_SCOPE;
		}
		if (row->kind > DIF_VKIND_SCALAR) {
			dif_errf(k->errs, DIF_E_VAR_KIND, DIF_NO_PC, dp->name, NULL,
			         "%s DIFO '%s': variable table row %u has kind %u",
			         in_name(k, i), dp->name, r, row->kind);
			return DIF_E_VAR_KIND;
		}
		const char *name = str_at(dp, row->name);
		if (!name || !*name) {
			dif_errf(k->errs, DIF_E_STRTAB, DIF_NO_PC, dp->name, NULL,
			         "%s DIFO '%s': variable 0x%x has no name (string "
			         "offset %u, table of %u bytes): cannot be linked",
			         in_name(k, i), dp->name, row->id, row->name,
			         dp->strlen);
			return DIF_E_STRTAB;
		}
		struct gvar *g = NULL;
		int rc = find_var(k, row, name, i, d, &g);
		if (rc)
			return rc;
		if (g->kind != row->kind) {
			dif_errf(k->errs, DIF_E_VAR_CHG_KIND, DIF_NO_PC, dp->name,
			         NULL,
			         "variable '%s' (%s): %s in %s DIFO '%s' but %s in %s "
			         "DIFO '%s'", name, scope_name[row->scope],
			         g->kind == DIF_VKIND_ARRAY ? "array" : "scalar",
			         in_name(k, g->in),
			         dif_difo_name(difo_at(k, g->in, g->difo)),
			         row->kind == DIF_VKIND_ARRAY ? "array" : "scalar",
			         in_name(k, i), dp->name);
			return DIF_E_VAR_CHG_KIND;
		}
		if ((rc = merge_type(k, g, &row->type, i, d)))
			return rc;
		uint8_t key[3];
		int kl = idmap_key(row->scope, row->id, key);
		uint64_t old;
		int put = dif_hm_add(&im->m, key, (size_t)kl, (uint64_t)(g - k->v),
		                 &old);
		if (put < 0)
			return nomem(k);
		if (put == 0 && old != (uint64_t)(g - k->v)) {
			dif_errf(k->errs, DIF_E_DUPLICATE, DIF_NO_PC, dp->name, NULL,
			         "%s DIFO '%s': %s variable id 0x%x names both '%s' "
			         "and '%s'", in_name(k, i), dp->name,
			         scope_name[row->scope], row->id, k->v[old].name,
			         name);
			return DIF_E_DUPLICATE;
		}
	}
	return 0;
}

static struct gvar *var_of(struct lk *k, const struct idmap *im,
                           unsigned scope, unsigned id)
{
	uint8_t key[3];
	int kl = idmap_key(scope, id, key);
	uint64_t *v = dif_hm_get(&im->m, key, (size_t)kl);
	return v ? &k->v[*v] : NULL;
}

static void insn_text(const struct lk *k, uint32_t w, char *buf, size_t cap)
{
	dif_insn_text(w, k->profile, buf, cap);
}

/* "(string, integer)" */
static void key_text(const struct keysig *ks, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	o += (size_t)snprintf(buf + o, cap - o, "(");
	for (unsigned j = 0; j < ks->n && o < cap; j++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", j ? ", " : "",
		                      ks->e[j] == KE_VAL       ? "value"
		                      : ks->e[j] == KE_REF_STR ? "string"
		                                               : "by-ref");
	if (o < cap)
		snprintf(buf + o, cap - o, ")");
}

/* Pass 1, second half: key tuples of associative arrays. The tuple stack
 * is followed in straight-line code only (it is reset by flushts and at
 * every branch target); an access whose tuple is not known there is not
 * compared. */
static int collect_keys(struct lk *k, size_t i, size_t d,
                        const struct idmap *im)
{
	const struct dif_difo *dp = difo_at(k, i, d);
	uint8_t *target = calloc(dp->textlen + 1, 1);
	if (!target)
		return nomem(k);
	for (uint32_t pc = 0; pc < dp->textlen; pc++) {
		const struct dif_opinfo *oi =
			dif_isa_lookup(DIF_I_OP(dp->text[pc]), k->profile);
		if (oi && oi->cls == DIF_IC_BRANCH &&
		    DIF_I_LABEL(dp->text[pc]) < dp->textlen)
			target[DIF_I_LABEL(dp->text[pc])] = 1;
	}
	struct keysig cur = {0, {0}};
	int known = 1, rc = 0;
	for (uint32_t pc = 0; pc < dp->textlen && !rc; pc++) {
		uint32_t w = dp->text[pc];
		if (target[pc])
			known = 0;
		const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w),
		                                             k->profile);
		if (!oi)
			continue;
		if (DIF_I_OP(w) == DIF_OPC_FLUSHTS) {
			cur.n = 0;
			known = 1;
		} else if (DIF_I_OP(w) == DIF_OPC_POPTS) {
			if (known && cur.n > 0)
				cur.n--;
		} else if (oi->cls == DIF_IC_PUSHTV || oi->cls == DIF_IC_PUSHTR) {
			if (known && cur.n < DIF_NTREGS)
				cur.e[cur.n++] = oi->cls == DIF_IC_PUSHTV ? KE_VAL
				                 : DIF_I_TYPE(w) == DIF_TYPE_STRING
				                 ? KE_REF_STR : KE_REF_CTF;
			else
				known = 0;
		} else if (oi->cls == DIF_IC_CALL) {
			/* calls do not consume the tuple stack */
		} else if ((oi->cls == DIF_IC_LDV || oi->cls == DIF_IC_STV) &&
		           (oi->flags & DIF_F_ASSOC) && known) {
			int sc = dif_isa_scope(oi);
			struct gvar *g = sc >= 0 ? var_of(k, im, (unsigned)sc,
			                                  DIF_I_INDEX(w))
			                         : NULL;
			if (!g)
				continue; /* reported by the rewrite pass */
			if (g->key.n == KEY_UNKNOWN) {
				g->key = cur;
				g->key_in = (uint32_t)i;
				g->key_difo = (uint32_t)d;
			} else if (g->key.n != cur.n ||
			           memcmp(g->key.e, cur.e, cur.n) != 0) {
				char it[64], ka[80], kb[80];
				insn_text(k, w, it, sizeof(it));
				key_text(&g->key, ka, sizeof(ka));
				key_text(&cur, kb, sizeof(kb));
				dif_errf(k->errs, DIF_E_VAR_CHG_KIND, pc, dp->name, it,
				         "array '%s' (%s): key tuple %s in %s DIFO '%s' "
				         "but %s in %s DIFO '%s'", g->name,
				         scope_name[g->scope], ka,
				         in_name(k, g->key_in),
				         dif_difo_name(difo_at(k, g->key_in,
				                               g->key_difo)),
				         kb, in_name(k, i), dp->name);
				rc = DIF_E_VAR_CHG_KIND;
			}
		}
	}
	free(target);
	return rc;
}

/* Table rebuilding for one DIFO. */
struct rebuild {
	uint64_t *ints;
	uint32_t nints;
	uint32_t *intmap; /* old index -> new */
	char *strs;
	uint32_t nstr;
	uint32_t *strmap; /* old offset -> new offset (every byte) */
};

static void rebuild_free(struct rebuild *b)
{
	free(b->ints);
	free(b->intmap);
	free(b->strs);
	free(b->strmap);
}

/* Distinct values in first-seen order; every old index maps to one. */
static int dedup_ints(const struct dif_difo *dp, struct rebuild *b)
{
	if (!dp->intlen)
		return 0;
	b->ints = malloc(dp->intlen * sizeof(*b->ints));
	b->intmap = malloc(dp->intlen * sizeof(*b->intmap));
	if (!b->ints || !b->intmap)
		return -1;
	struct dif_hmap m = {0};
	for (uint32_t j = 0; j < dp->intlen; j++) {
		uint64_t old;
		int r = dif_hm_add(&m, &dp->inttab[j], 8, b->nints, &old);
		if (r < 0) {
			dif_hm_free(&m);
			return -1;
		}
		if (r) {
			b->ints[b->nints] = dp->inttab[j];
			b->intmap[j] = b->nints++;
		} else {
			b->intmap[j] = (uint32_t)old;
		}
	}
	dif_hm_free(&m);
	return 0;
}

/* Distinct NUL-terminated strings in first-seen order. An offset into the
 * middle of a string maps to the same position in its copy. */
static int dedup_strs(const struct dif_difo *dp, struct rebuild *b)
{
	if (!dp->strlen)
		return 0;
	b->strs = malloc(dp->strlen);
	b->strmap = malloc(dp->strlen * sizeof(*b->strmap));
	if (!b->strs || !b->strmap)
		return -1;
	struct dif_hmap m = {0};
	uint32_t off = 0;
	while (off < dp->strlen) {
		const char *s = dp->strtab + off;
		uint32_t l = (uint32_t)strnlen(s, dp->strlen - off);
		uint64_t at = b->nstr, old;
		int r = dif_hm_add(&m, s, l, at, &old);
		if (r < 0) {
			dif_hm_free(&m);
			return -1;
		}
		if (r) {
			memcpy(b->strs + b->nstr, s, l);
			b->strs[b->nstr + l] = '\0';
			b->nstr += l + 1;
		} else {
			at = old;
		}
		for (uint32_t c = 0; c <= l && off + c < dp->strlen; c++)
			b->strmap[off + c] = (uint32_t)at + c;
		off += l + 1;
	}
	dif_hm_free(&m);
	return 0;
}

/* Pass 2: the DIFO rebuilt with new ids and deduplicated tables. */
static int rebuild_difo(struct lk *k, size_t i, size_t d,
                        const struct idmap *im, struct dif_module *out)
{
	const struct dif_difo *dp = difo_at(k, i, d);
	struct rebuild b;
	memset(&b, 0, sizeof(b));
	uint32_t *text = malloc((dp->textlen ? dp->textlen : 1) * sizeof(*text));
	struct dif_var *vt = malloc((dp->varlen ? dp->varlen : 1) * sizeof(*vt));
	int rc = 0;
	if (!text || !vt || dedup_ints(dp, &b) || dedup_strs(dp, &b)) {
		rc = nomem(k);
		goto out;
	}
	for (uint32_t pc = 0; pc < dp->textlen && !rc; pc++) {
		uint32_t w = dp->text[pc];
		const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w),
		                                             k->profile);
		unsigned idx = DIF_I_INDEX(w), rd = DIF_I_RD(w);
		text[pc] = w;
		if (!oi)
			continue; /* not an instruction: the validator reports it */
		if (oi->cls == DIF_IC_SETX && idx < dp->intlen) {
			text[pc] = DIF_ENC_W(DIF_I_OP(w), b.intmap[idx], rd);
		} else if (oi->cls == DIF_IC_SETS && idx < dp->strlen) {
			text[pc] = DIF_ENC_W(DIF_I_OP(w), b.strmap[idx], rd);
		} else if ((oi->cls == DIF_IC_LDV || oi->cls == DIF_IC_STV) &&
		           idx >= DIF_VAR_OTHER_UBASE) {
			int sc = dif_isa_scope(oi);
			struct gvar *g = sc >= 0 ? var_of(k, im, (unsigned)sc, idx)
			                         : NULL;
			if (!g) {
				char it[64];
				insn_text(k, w, it, sizeof(it));
				dif_errf(k->errs, DIF_E_VAR_UNDECL, pc, dp->name, it,
				         "%s DIFO '%s': %s variable 0x%x is not in the "
				         "variable table, so it cannot be linked",
				         in_name(k, i), dp->name,
				         sc >= 0 ? scope_name[sc] : "?", idx);
				rc = DIF_E_VAR_UNDECL;
				break;
			}
			text[pc] = DIF_ENC_W(DIF_I_OP(w), g->id, rd);
		}
	}
	if (rc)
		goto out;
	for (uint32_t r = 0; r < dp->varlen; r++) {
		vt[r] = dp->vartab[r];
		if (vt[r].name < dp->strlen)
			vt[r].name = b.strmap[vt[r].name];
		if (vt[r].id < DIF_VAR_OTHER_UBASE)
			continue;
		struct gvar *g = var_of(k, im, vt[r].scope, vt[r].id);
		vt[r].id = g->id;
		vt[r].type = g->type;
	}
	/* Start from the input's parts, so that any per-DIFO data the
	 * linker does not rewrite (relocation records and their names) is
	 * carried over as it is; then replace what was rewritten. */
	struct dif_difo_parts p;
	dif_difo_get_parts(dp, &p);
	p.text = text;
	p.inttab = b.ints;
	p.intlen = b.nints;
	p.strtab = b.strs;
	p.strlen = b.nstr;
	p.vartab = vt;
	struct dif_difo *nd = NULL;
	if ((rc = dif_difo_create(&p, &nd, k->errs)))
		goto out;
	dif_difo_set_ptr(nd, dif_difo_ptr(dp));
	dif_difo_set_varid(nd, dif_difo_varid(dp));
	if ((rc = dif_module_add(out, nd)) == DIF_E_LIMIT)
		dif_errf(k->errs, rc, DIF_NO_PC, dp->name, NULL,
		         "link: " DIF_MODULE_LIMIT_FMT, dp->name,
		         dif_module_max(out));
	else if (rc)
		dif_errf(k->errs, rc, DIF_NO_PC, dp->name, NULL,
		         "link: cannot add DIFO '%s': %s", dp->name,
		         dif_err_text(rc));
out:
	rebuild_free(&b);
	free(text);
	free(vt);
	return rc;
}

static int check_names(struct lk *k)
{
	size_t total = 0;
	for (size_t i = 0; i < k->nin; i++) {
		size_t nd = dif_module_count(k->in[i].mod);
		total += nd;
		if (total > DIF_LINK_MAX_DIFOS) {
			dif_errf(k->errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
			         "link: more than %u DIFOs (at %s)",
			         DIF_LINK_MAX_DIFOS, in_name(k, i));
			return DIF_E_LIMIT;
		}
		for (size_t d = 0; d < nd; d++) {
			const char *nm = dif_difo_name(difo_at(k, i, d));
			uint64_t old;
			int r = dif_hm_add(&k->names, nm, strlen(nm),
			               (uint64_t)i << 32 | d, &old);
			if (r < 0)
				return nomem(k);
			if (r == 0) {
				dif_errf(k->errs, DIF_E_DUPLICATE, DIF_NO_PC, nm, NULL,
				         "DIFO '%s' is defined in %s and in %s", nm,
				         in_name(k, (size_t)(old >> 32)), in_name(k, i));
				return DIF_E_DUPLICATE;
			}
		}
	}
	return 0;
}

int dif_link(const struct dif_link_input *inputs, size_t n,
             const struct dif_link_opts *opts, struct dif_module **out,
             struct dif_errors *errs)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if ((!inputs && n) || (opts && opts->size < sizeof(size_t))) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "link: bad arguments");
		return DIF_E_INVAL;
	}
	if (DIF_OPT(opts, flags, 0u)) {
		dif_errf(errs, DIF_E_OPTS, DIF_NO_PC, NULL, NULL,
		         "link: unknown flags 0x%x", opts->flags);
		return DIF_E_OPTS;
	}
	if (n > DIF_LINK_MAX_INPUTS) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
		         "link: %zu inputs; at most %u", n, DIF_LINK_MAX_INPUTS);
		return DIF_E_LIMIT;
	}
	for (size_t i = 0; i < n; i++)
		if (!inputs[i].mod) {
			dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
			         "link: input %zu has no module", i + 1);
			return DIF_E_INVAL;
		}
	struct lk k;
	memset(&k, 0, sizeof(k));
	k.in = inputs;
	k.nin = n;
	k.errs = errs;
	k.profile = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	for (unsigned s = 0; s < NSPACE; s++)
		k.next[s] = DIF_VAR_OTHER_UBASE;
	k.unnamed = calloc(n ? n : 1, UNNAMED_LEN);
	if (!k.unnamed)
		return nomem(&k);
	for (size_t i = 0; i < n; i++)
		snprintf(k.unnamed + UNNAMED_LEN * i, UNNAMED_LEN, "input %zu",
		         i + 1);

	size_t total = 0;
	int rc = check_names(&k);
	for (size_t i = 0; i < n && !rc; i++)
		total += dif_module_count(inputs[i].mod);
	struct idmap *maps = rc ? NULL : calloc(total ? total : 1, sizeof(*maps));
	if (!rc && !maps)
		rc = nomem(&k);
	struct dif_module *mod = rc ? NULL : dif_module_new();
	if (!rc && !mod)
		rc = nomem(&k);
	/* the output's byte limit is the largest of the inputs' (so a tool's
	 * --max-module, which every input got, holds for the output too) */
	for (size_t i = 0; i < n && mod; i++)
		if (dif_module_max(inputs[i].mod) > dif_module_max(mod))
			mod->max = dif_module_max(inputs[i].mod);
	/* pass 1: names settled above; variables and key tuples */
	for (size_t i = 0, m = 0; i < n && !rc; i++)
		for (size_t d = 0; d < dif_module_count(inputs[i].mod) && !rc;
		     d++, m++)
			rc = collect_vars(&k, i, d, &maps[m]);
	for (size_t i = 0, m = 0; i < n && !rc; i++)
		for (size_t d = 0; d < dif_module_count(inputs[i].mod) && !rc;
		     d++, m++)
			rc = collect_keys(&k, i, d, &maps[m]);
	/* pass 2: rebuild */
	for (size_t i = 0, m = 0; i < n && !rc; i++)
		for (size_t d = 0; d < dif_module_count(inputs[i].mod) && !rc;
		     d++, m++)
			rc = rebuild_difo(&k, i, d, &maps[m], mod);
	/* Type relocations are resolved here, on the merged module, once
	 * the type-file options exist (docs/linking.md). */
	for (size_t m = 0; maps && m < total; m++)
		dif_hm_free(&maps[m].m);
	free(maps);
	dif_hm_free(&k.names);
	dif_hm_free(&k.vars);
	free(k.v);
	free(k.unnamed);
	if (rc) {
		dif_module_free(mod);
		return rc;
	}
	*out = mod;
	return 0;
}
