/*
 * The model's machinery: its own decoder (dif-isa.md 1), its own validator
 * (5), the initial state (conventions.md), and the generic step function
 * that picks the one case whose guard holds and applies its update.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Opcode classes for decoding and validation (dif-isa.md 2 and 5.1). */
enum opclass {
	OC_BAD, OC_ALU3, OC_ALU2, OC_CMP, OC_TST, OC_BR, OC_LD, OC_ULD,
	OC_RLD, OC_ST, OC_RET, OC_NOP, OC_SETX, OC_SETS, OC_ARR, OC_STGA,
	OC_LDV, OC_STV, OC_CALL, OC_PUSHTR, OC_PUSHTV, OC_COPYS,
};

static const char *const opnames[81] = {
	NULL, "or", "xor", "and", "sll", "srl", "sub", "add", "mul", "sdiv",
	"udiv", "srem", "urem", "not", "mov", "cmp", "tst", "ba", "be", "bne",
	"bg", "bgu", "bge", "bgeu", "bl", "blu", "ble", "bleu", "ldsb", "ldsh",
	"ldsw", "ldub", "lduh", "lduw", "ldx", "ret", "nop", "setx", "sets",
	"scmp", "ldga", "ldgs", "stgs", "ldta", "ldts", "stts", "sra", "call",
	"pushtr", "pushtv", "popts", "flushts", "ldgaa", "ldtaa", "stgaa",
	"sttaa", "ldls", "stls", "allocs", "copys", "stb", "sth", "stw", "stx",
	"uldsb", "uldsh", "uldsw", "uldub", "ulduh", "ulduw", "uldx", "rldsb",
	"rldsh", "rldsw", "rldub", "rlduh", "rlduw", "rldx", "xlate", "xlarg",
	"stga",
};

/* Instruction classes by opcode (dif-isa.md 1); the validator looks up
 * every instruction of every run. */
static const uint8_t opclasses[256] = {
	[1 ... 12] = OC_ALU3, [46] = OC_ALU3,            /* ... sra */
	[13] = OC_ALU2, [14] = OC_ALU2, [58] = OC_ALU2,  /* not, mov, allocs */
	[15] = OC_CMP, [39] = OC_CMP,
	[16] = OC_TST,
	[17 ... 27] = OC_BR,
	[28 ... 34] = OC_LD,
	[64 ... 70] = OC_ULD,
	[71 ... 77] = OC_RLD,
	[60 ... 63] = OC_ST,
	[35] = OC_RET,
	[36] = OC_NOP, [50] = OC_NOP, [51] = OC_NOP,
	[37] = OC_SETX,
	[38] = OC_SETS,
	[40] = OC_ARR, [43] = OC_ARR,
	[41] = OC_LDV, [44] = OC_LDV, [52] = OC_LDV, [53] = OC_LDV, [56] = OC_LDV,
	[42] = OC_STV, [45] = OC_STV, [54] = OC_STV, [55] = OC_STV, [57] = OC_STV,
	[47] = OC_CALL,
	[48] = OC_PUSHTR,
	[49] = OC_PUSHTV,
	[59] = OC_COPYS,
	[80] = OC_STGA, /* illumos only */
};

static enum opclass opclass(uint32_t profile, unsigned op)
{
	if (op >= 256 || (op == 80 && profile != DC_PROFILE_ILLUMOS))
		return OC_BAD;
	return (enum opclass)opclasses[op];
}

const char *dc_spec_op_name(uint32_t profile, unsigned op)
{
	if (op > 80 || opclass(profile, op) == OC_BAD)
		return NULL;
	return opnames[op];
}

/* dif-isa.md section 1: field extraction. */
static void decode(uint32_t w, struct insn *i)
{
	i->word = w;
	i->op = (uint8_t)(w >> 24);
	i->r1 = (uint8_t)(w >> 16);
	i->r2 = (uint8_t)(w >> 8);
	i->rd = (uint8_t)w;
	i->label = w & 0xffffffu;
	i->idx = (uint16_t)(w >> 8);
}

const struct subr_def dc_subrs[S_COUNT] = {
	[S_RAND] = {"rand", {0, 0}},
	[S_MUTEX_OWNED] = {"mutex_owned", {1, 1}},
	[S_MUTEX_OWNER] = {"mutex_owner", {2, 2}},
	[S_MUTEX_TYPE_ADAPTIVE] = {"mutex_type_adaptive", {3, 3}},
	[S_MUTEX_TYPE_SPIN] = {"mutex_type_spin", {4, 4}},
	[S_RW_READ_HELD] = {"rw_read_held", {5, 5}},
	[S_RW_WRITE_HELD] = {"rw_write_held", {6, 6}},
	[S_RW_ISWRITER] = {"rw_iswriter", {7, 7}},
	[S_COPYIN] = {"copyin", {8, 8}},
	[S_COPYINSTR] = {"copyinstr", {9, 9}},
	[S_SPECULATION] = {"speculation", {10, 10}},
	[S_PROGENYOF] = {"progenyof", {11, 11}},
	[S_STRLEN] = {"strlen", {12, 12}},
	[S_COPYOUT] = {"copyout", {13, 13}},
	[S_COPYOUTSTR] = {"copyoutstr", {14, 14}},
	[S_ALLOCA] = {"alloca", {15, 15}},
	[S_BCOPY] = {"bcopy", {16, 16}},
	[S_COPYINTO] = {"copyinto", {17, 17}},
	[S_MSGDSIZE] = {"msgdsize", {18, 18}},
	[S_MSGSIZE] = {"msgsize", {19, 19}},
	[S_GETMAJOR] = {"getmajor", {20, 20}},
	[S_GETMINOR] = {"getminor", {21, 21}},
	[S_DDI_PATHNAME] = {"ddi_pathname", {22, 22}},
	[S_STRJOIN] = {"strjoin", {23, 23}},
	[S_LLTOSTR] = {"lltostr", {24, 24}},
	[S_BASENAME] = {"basename", {25, 25}},
	[S_DIRNAME] = {"dirname", {26, 26}},
	[S_CLEANPATH] = {"cleanpath", {27, 27}},
	[S_STRCHR] = {"strchr", {28, 28}},
	[S_STRRCHR] = {"strrchr", {29, 29}},
	[S_STRSTR] = {"strstr", {30, 30}},
	[S_STRTOK] = {"strtok", {31, 31}},
	[S_SUBSTR] = {"substr", {32, 32}},
	[S_INDEX] = {"index", {33, 33}},
	[S_RINDEX] = {"rindex", {34, 34}},
	[S_HTONS] = {"htons", {35, 35}},
	[S_HTONL] = {"htonl", {36, 36}},
	[S_HTONLL] = {"htonll", {37, 37}},
	[S_NTOHS] = {"ntohs", {38, 38}},
	[S_NTOHL] = {"ntohl", {39, 39}},
	[S_NTOHLL] = {"ntohll", {40, 40}},
	[S_INET_NTOP] = {"inet_ntop", {41, 41}},
	[S_INET_NTOA] = {"inet_ntoa", {42, 42}},
	[S_INET_NTOA6] = {"inet_ntoa6", {43, 43}},
	[S_TOUPPER] = {"toupper", {44, 44}},
	[S_TOLOWER] = {"tolower", {45, 45}},
	/* section 6: numbers from 44 up differ (FreeBSD ~2018, illumos) */
	[S_MEMREF] = {"memref", {46, -1}},
	[S_SX_SHARED_HELD] = {"sx_shared_held", {47, -1}},
	[S_SX_EXCLUSIVE_HELD] = {"sx_exclusive_held", {48, -1}},
	[S_SX_ISEXCLUSIVE] = {"sx_isexclusive", {49, -1}},
	[S_MEMSTR] = {"memstr", {50, -1}},
	[S_GETF] = {"getf", {51, 46}},
	[S_JSON] = {"json", {52, 47}},
	[S_STRTOLL] = {"strtoll", {53, 48}},
};

unsigned dc_spec_subr_max(uint32_t profile)
{
	return profile == DC_PROFILE_ILLUMOS ? 48 : 53;
}

int subr_by_number(uint32_t profile, unsigned n)
{
	unsigned p = profile == DC_PROFILE_ILLUMOS ? 1 : 0;
	for (int i = 0; i < S_COUNT; i++)
		if (dc_subrs[i].num[p] == (int)n)
			return i;
	return -1;
}

const char *dc_spec_subr_name(uint32_t profile, unsigned subr)
{
	int s = subr_by_number(profile, subr);
	return s < 0 ? NULL : dc_subrs[s].name;
}

int dc_spec_subr_number(uint32_t profile, const char *name)
{
	unsigned p = profile == DC_PROFILE_ILLUMOS ? 1 : 0;
	for (int i = 0; i < S_COUNT; i++)
		if (strcmp(dc_subrs[i].name, name) == 0)
			return dc_subrs[i].num[p];
	return -1;
}

size_t dc_spec_ncases(void)
{
	return dc_ncases;
}

/* The public cases: as in the table, with the guard text spelled out in
 * full (the condition, after "not (...)" for every earlier case's
 * condition when the case excludes them), built once at load time. */
static struct dc_spec_case *pub_cases;

static bool says_otherwise(const char *t)
{
	return strncmp(t, "otherwise", 9) == 0 || strncmp(t, "always", 6) == 0 ||
	       strncmp(t, "any other", 9) == 0;
}

static const char *pm_name(unsigned pm)
{
	return pm == DC_PM_FREEBSD ? "FreeBSD" : "illumos";
}

static char *guard_text(size_t k)
{
	const struct case_def *d = &dc_cases[k];
	size_t first = k;
	while (first > 0 && strcmp(dc_cases[first - 1].pub.insn, d->pub.insn) == 0)
		first--;
	unsigned pm = d->pub.profiles;
	size_t len = strlen(d->pub.guard) + 1;
	bool any = false;
	if (d->excl)
		for (size_t j = first; j < k; j++)
			if (dc_cases[j].pub.profiles & pm) {
				len += strlen(dc_cases[j].pub.guard) + 32;
				any = true;
			}
	char *t = malloc(len);
	if (!t)
		return NULL;
	if (!any) {
		memcpy(t, d->pub.guard, strlen(d->pub.guard) + 1);
		return t;
	}
	size_t o = 0;
	for (size_t j = first; j < k; j++) {
		unsigned q = dc_cases[j].pub.profiles;
		if (!(q & pm))
			continue;
		o += (size_t)snprintf(t + o, len - o, "%snot (%s%s%s)",
		                      o ? " and " : "",
		                      (q & pm) != pm ? "on " : "",
		                      (q & pm) != pm ? pm_name(q & pm) : "",
		                      (q & pm) != pm ? ": " : "");
		o--; /* the closing parenthesis comes after the text */
		o += (size_t)snprintf(t + o, len - o, "%s)", dc_cases[j].pub.guard);
	}
	if (!says_otherwise(d->pub.guard))
		snprintf(t + o, len - o, " and %s", d->pub.guard);
	return t;
}

__attribute__((constructor)) static void build_pub_cases(void)
{
	pub_cases = calloc(dc_ncases, sizeof(*pub_cases));
	if (!pub_cases)
		abort();
	for (size_t k = 0; k < dc_ncases; k++) {
		pub_cases[k] = dc_cases[k].pub;
		pub_cases[k].guard = guard_text(k);
		if (!pub_cases[k].guard)
			abort();
	}
}

const struct dc_spec_case *dc_spec_case_at(size_t i)
{
	return i < dc_ncases ? &pub_cases[i] : NULL;
}

long dc_spec_case_index(const char *insn, const char *name)
{
	for (size_t i = 0; i < dc_ncases; i++)
		if (strcmp(dc_cases[i].pub.insn, insn) == 0 &&
		    strcmp(dc_cases[i].pub.name, name) == 0)
			return (long)i;
	return -1;
}

const char *dc_spec_strerror(int err)
{
	switch (err) {
	case DC_SPEC_OK: return "ok";
	case DC_SPEC_EINVAL: return "program rejected by the validator";
	case DC_SPEC_EMODEL: return "model error: not exactly one case applies";
	case DC_SPEC_ENOMEM: return "out of memory";
	case DC_SPEC_EUNSUP: return "outside the model";
	}
	return "unknown error";
}

const char *dc_spec_fault_name(uint32_t fault)
{
	static const char *const names[] = {
		"NONE", "BADADDR", "BADALIGN", "ILLOP", "DIVZERO", "NOSCRATCH",
		"KPRIV", "UPRIV", "TUPOFLOW", "BADSTACK",
	};
	return fault < 10 ? names[fault] : "UNKNOWN";
}

/* dif-isa.md 4.1: which fault is reported when several bits are set. */
static uint32_t fault_pick(uint32_t fbits)
{
	static const uint32_t order[] = {
		F_BADADDR, F_ILLOP, F_DIVZERO, F_KPRIV, F_UPRIV, F_TUPOFLOW,
		F_BADALIGN, F_NOSCRATCH, F_BADSTACK,
	};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (fbits & FBIT(order[i]))
			return order[i];
	return F_NONE;
}

/* ------------------------------------------------------------------
 * Validator (dif-isa.md section 5), under the case's profile.
 */
static int reject(char *msg, size_t len, uint32_t pc, const char *why)
{
	if (msg && len)
		snprintf(msg, len, "[%u]: %s", pc, why);
	return DC_SPEC_EINVAL;
}

static bool var_user_scope(unsigned op, unsigned *scope)
{
	switch (op) {
	case 41: case 42: case 52: case 54: *scope = 0; return true;
	case 44: case 45: case 53: case 55: *scope = 1; return true;
	case 56: case 57: *scope = 2; return true;
	}
	return false;
}

int dc_spec_validate(const struct dc_case *c, char *msg, size_t len)
{
	uint32_t prof = c->profile;
	const uint32_t nregs = 8;
	if (prof > DC_PROFILE_ILLUMOS)
		return reject(msg, len, 0, "unknown profile");
	if (c->textlen == 0 || !c->text)
		return reject(msg, len, 0, "missing DIF text");
	for (uint32_t pc = 0; pc < c->textlen; pc++) {
		struct insn i;
		decode(c->text[pc], &i);
		switch (opclass(prof, i.op)) {
		case OC_BAD:
			return reject(msg, len, pc, "invalid opcode");
		case OC_ALU3:
		case OC_COPYS:
			if (i.r1 >= nregs || i.r2 >= nregs || i.rd >= nregs)
				return reject(msg, len, pc, "invalid register");
			if (i.rd == 0)
				return reject(msg, len, pc, "cannot write to %r0");
			break;
		case OC_ALU2:
		case OC_LD:
		case OC_ULD:
		case OC_RLD:
		case OC_ST:
			if (i.r1 >= nregs || i.rd >= nregs)
				return reject(msg, len, pc, "invalid register");
			if (i.r2 != 0)
				return reject(msg, len, pc, "non-zero reserved bits");
			if (i.rd == 0)
				return reject(msg, len, pc, "cannot write to %r0");
			break;
		case OC_CMP:
			if (i.r1 >= nregs || i.r2 >= nregs)
				return reject(msg, len, pc, "invalid register");
			if (i.rd != 0)
				return reject(msg, len, pc, "non-zero reserved bits");
			break;
		case OC_TST:
			if (i.r1 >= nregs)
				return reject(msg, len, pc, "invalid register");
			if (i.r2 != 0 || i.rd != 0)
				return reject(msg, len, pc, "non-zero reserved bits");
			break;
		case OC_BR:
			if (i.label >= c->textlen)
				return reject(msg, len, pc, "invalid branch target");
			if (i.label <= pc)
				return reject(msg, len, pc, "backward branch");
			break;
		case OC_RET:
			if (i.r1 != 0 || i.r2 != 0)
				return reject(msg, len, pc, "non-zero reserved bits");
			if (i.rd >= nregs)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_NOP:
			if (i.r1 || i.r2 || i.rd)
				return reject(msg, len, pc, "non-zero reserved bits");
			break;
		case OC_SETX:
			if (i.idx >= c->intlen)
				return reject(msg, len, pc, "invalid integer ref");
			if (i.rd >= nregs || i.rd == 0)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_SETS:
			if (i.idx >= c->strlen)
				return reject(msg, len, pc, "invalid string ref");
			if (i.rd >= nregs || i.rd == 0)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_ARR:
			if (i.r2 >= nregs || i.rd >= nregs || i.rd == 0)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_STGA:
			if (i.r2 >= nregs || i.rd >= nregs)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_LDV:
			if (i.idx < 0x100)
				return reject(msg, len, pc, "invalid variable");
			if (i.rd >= nregs || i.rd == 0)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_STV:
			if (i.idx < UBASE)
				return reject(msg, len, pc, "invalid variable");
			if (i.rd >= nregs)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_CALL:
			if (i.idx > dc_spec_subr_max(prof))
				return reject(msg, len, pc, "invalid subr");
			if (i.rd >= nregs || i.rd == 0)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_PUSHTR:
			if (i.r1 > 1)
				return reject(msg, len, pc, "invalid ref type");
			if (i.r2 >= nregs || i.rd >= nregs)
				return reject(msg, len, pc, "invalid register");
			break;
		case OC_PUSHTV:
			if (i.r1 != 0)
				return reject(msg, len, pc, "invalid val type");
			if (i.r2 >= nregs || i.rd >= nregs)
				return reject(msg, len, pc, "invalid register");
			break;
		}
	}
	if ((c->text[c->textlen - 1] >> 24) != 35)
		return reject(msg, len, c->textlen - 1,
		              "expected 'ret' as last DIF instruction");
	if (!(c->rtype.flags & 3)) {
		uint32_t sz = c->rtype.size;
		if (sz != 0 && sz != 1 && sz != 2 && sz != 4 && sz != 8)
			return reject(msg, len, 0, "bad return size");
	}
	/* pass 2: the variable table */
	int64_t maxv[3] = {-1, -1, -1};
	for (uint32_t k = 0; k < c->varlen; k++) {
		const struct dc_var *v = &c->vartab[k];
		if (v->scope > 2)
			return reject(msg, len, 0, "unrecognized variable scope");
		if (v->kind > 1)
			return reject(msg, len, 0, "unrecognized variable type");
		if (v->id > 0xffff)
			return reject(msg, len, 0, "exceeds variable id limit");
		if (v->id < UBASE)
			continue;
		if ((int64_t)(v->id - UBASE) > maxv[v->scope])
			maxv[v->scope] = v->id - UBASE;
		if (v->type.flags & 1) {
			uint32_t sz = v->type.size;
			if (sz == 0 && v->type.kind == 1)
				sz = STRSIZE_SYS;
			if (sz == 0)
				return reject(msg, len, 0, "zero-sized variable");
			if (v->scope != 1 && sz > 16384)
				return reject(msg, len, 0, "oversized by-ref static");
		}
	}
	/* pass 3: references within the declared maxima */
	for (uint32_t pc = 0; pc < c->textlen; pc++) {
		struct insn i;
		unsigned scope;
		decode(c->text[pc], &i);
		if (opclass(prof, i.op) == OC_BAD || !var_user_scope(i.op, &scope))
			continue;
		if ((int64_t)i.idx > (int64_t)UBASE + maxv[scope])
			return reject(msg, len, pc, "variable id out of range");
	}
	return 0;
}

/* ------------------------------------------------------------------
 * State set-up.
 */
static int unsup(struct dc_spec_info *info, uint32_t pc, const char *why)
{
	if (info) {
		snprintf(info->msg, sizeof(info->msg), "[%u]: %s", pc, why);
		info->msg_pc = pc;
	}
	return DC_SPEC_EUNSUP;
}

static void state_free(struct state *s)
{
	free(s->scratch);
	free(s->statmem);
	free(s->svars);
	for (uint32_t i = 0; i < s->ndyn; i++) {
		free(s->dyn[i].mem);
		free(s->dyn[i].kbytes);
	}
	free(s->dyn);
	free(s->env);
	for (unsigned k = 0; k < DC_MAX_HWRITES; k++)
		free(s->hw_img[k]);
	free(s->text);
	free(s->ubuf);
}

int svar_find(const struct state *s, unsigned scope, unsigned id)
{
	for (uint32_t i = 0; i < s->nsvars; i++)
		if (s->svars[i].scope == scope && s->svars[i].id == id)
			return (int)i;
	return -1;
}

static int state_init(struct state *s, const struct dc_case *c,
                      struct dc_spec_info *info)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->profile = c->profile;
	s->big_endian = dc_spec_host() == DC_HOST_BE;
	s->strsize = c->strsize ? c->strsize : 256;
	s->deny = c->deny;
	s->scratch_size = c->scratch_size ? c->scratch_size : 65536;
	uint64_t dynsz = c->dynvar_size ? c->dynvar_size : (1u << 20);
	if (s->scratch_size > (64u << 20))
		return unsup(info, 0, "scratch larger than 64 MiB");
	if (s->strsize > (1u << 20))
		return unsup(info, 0, "strsize larger than 1 MiB");
	s->chunk = 160 + 9 * rup8(s->strsize);
	s->nchunks = dynsz / s->chunk;
	/* (not zeroed here: most runs never touch the 64 KiB) */
	s->scratch = malloc(s->scratch_size + 1);
	if (!s->scratch)
		return DC_SPEC_ENOMEM;
	s->scratch[s->scratch_size] = 0;

	/* user variables: one row per (scope, id); built-ins are skipped */
	s->svars = calloc(c->varlen ? c->varlen : 1, sizeof(*s->svars));
	if (!s->svars)
		return DC_SPEC_ENOMEM;
	uint64_t off = 0;
	for (uint32_t k = 0; k < c->varlen; k++) {
		const struct dc_var *v = &c->vartab[k];
		if (v->id < UBASE || svar_find(s, v->scope, v->id) >= 0)
			continue;
		struct svar *sv = &s->svars[s->nsvars++];
		sv->scope = v->scope;
		sv->kind = v->kind;
		sv->id = v->id;
		sv->byref = (v->type.flags & 1) != 0;
		sv->isstr = v->type.kind == 1;
		sv->size = v->type.size;
		if (sv->size == 0 && sv->isstr)
			sv->size = STRSIZE_SYS;
		if (sv->byref && sv->scope != 1 && sv->kind == 1) {
			sv->hdr = DC_VA_STATIC + off;
			off += rup8(8 + (uint64_t)sv->size);
		}
	}
	s->statsize = off;
	s->statmem = calloc(1, off ? off : 1);
	if (!s->statmem)
		return DC_SPEC_ENOMEM;
	for (uint32_t k = 0; k < s->nsvars; k++) {
		struct svar *sv = &s->svars[k];
		if (sv->hdr) {
			sv->mem = s->statmem + (sv->hdr - DC_VA_STATIC);
			sv->mem[0] = 0xff; /* never stored: NULL */
		}
	}

	/* built-in strings: one slot of strsize bytes per string variable,
	 * in id order (threadname and execargs, both 0x121, have their own) */
	if (c->nbvars > DC_MAX_BVARS)
		return unsup(info, 0, "too many built-in values");
	if (c->nhvars > DC_MAX_HVARS || c->nhsubrs > DC_MAX_HSUBRS ||
	    c->nhstores > DC_MAX_HSTORES)
		return unsup(info, 0, "too many host answers");
	if (c->nhreads > DC_MAX_HREADS || !dc_hreads_ok(c))
		return unsup(info, 0, "host read ranges overlap or touch a region");
	for (uint32_t k = 0; k < c->nhwrites && k < DC_MAX_HWRITES; k++) {
		if (c->hwrites[k].size > DC_MAX_HWRITE_SIZE)
			return unsup(info, 0, "host write range too large");
		s->hw_img[k] = calloc(1, c->hwrites[k].size ? c->hwrites[k].size : 1);
		if (!s->hw_img[k])
			return DC_SPEC_ENOMEM;
	}
	static const unsigned envids[] = {0x112, 0x113, 0x114, 0x115, 0x118,
	                                  0x119, 0x121, 0x121, 0x123};
	const unsigned nslots = sizeof(envids) / sizeof(envids[0]);
	s->envsize = (uint64_t)nslots * s->strsize;
	s->env = calloc(1, s->envsize);
	if (!s->env)
		return DC_SPEC_ENOMEM;
	for (uint32_t k = 0; k < c->nbvars; k++) {
		if (!c->bvars[k].str)
			continue;
		for (unsigned slot = 0; slot < nslots; slot++) {
			if (envids[slot] != c->bvars[k].id)
				continue;
			/* 0x121: threadname (illumos) is slot 6, execargs slot 7 */
			if (envids[slot] == 0x121 &&
			    (slot == 6) != (s->profile == DC_PROFILE_ILLUMOS))
				continue;
			size_t n = strlen(c->bvars[k].str);
			if (n > s->strsize - 1)
				n = s->strsize - 1;
			uint8_t *p = s->env + (uint64_t)slot * s->strsize;
			memcpy(p, c->bvars[k].str, n);
			p[n] = 0;
			s->envaddr[k] = DC_VA_ENVSTR + (uint64_t)slot * s->strsize;
			break;
		}
	}
	/* thread key: DTrace's (tid + 0xffff) in 61 bits unless the case
	 * gives one; a key that can equal a variable's key entry
	 * (var - 0x500 <= 0xfaff) never occurs in DTrace (dif-isa.md 2.7) */
	s->tkey = c->thread_key;
	if (!s->tkey) {
		uint64_t tid = 0;
		for (uint32_t k = 0; k < c->nbvars; k++)
			if (c->bvars[k].id == 0x117) {
				tid = c->bvars[k].value;
				break;
			}
		s->tkey = (tid + 0xffff) & (((uint64_t)1 << 61) - 1);
	}
	if (s->tkey <= 0xffff - UBASE)
		return unsup(info, 0, "thread key can equal a variable's key entry "
		             "(at most 0xfaff); DTrace never forms one");

	/* decode; LDxx run as RLDxx without kernel visibility (5.1 rule 3) */
	s->text = calloc(c->textlen, sizeof(*s->text));
	if (!s->text)
		return DC_SPEC_ENOMEM;
	s->textlen = c->textlen;
	for (uint32_t pc = 0; pc < c->textlen; pc++) {
		struct insn *i = &s->text[pc];
		decode(c->text[pc], i);
		if (i->op >= 28 && i->op <= 34 && (s->deny & DENY_KERNEL))
			i->op = (uint8_t)(i->op + 43);
		unsigned scope;
		if (var_user_scope(i->op, &scope)) {
			bool assoc = i->op >= 52 && i->op <= 55;
			if (i->idx < UBASE) {
				if (i->op == 41 || i->op == 56)
					continue; /* built-in / this-> below UBASE */
				return unsup(info, pc, "variable id below 0x500");
			}
			int k = svar_find(s, scope, i->idx);
			if (k < 0)
				return unsup(info, pc, "variable not in the table");
			if (s->svars[k].kind != (assoc ? 0 : 1))
				return unsup(info, pc, "variable kind does not match");
		}
	}
	s->ubufsize = s->scratch_size + 2 * (uint64_t)s->strsize + 4096;
	s->ubuf = malloc(s->ubufsize);
	if (!s->ubuf)
		return DC_SPEC_ENOMEM;
	return 0;
}

/* Per-run reset (docs/conventions.md 2 and 5). */
static void state_reset(struct state *s)
{
	memset(s->r, 0, sizeof(s->r));
	s->cc_n = s->cc_z = s->cc_v = s->cc_c = 0;
	s->pc = 0;
	s->done = 0;
	s->rval = 0;
	s->fbits = 0;
	s->faddr = 0;
	s->fpc = 0;
	memset(s->tup, 0, sizeof(s->tup));
	s->ttop = 0;
	s->sptr = 0;
	s->tok_addr = s->tok_limit = 0;
}

/* ------------------------------------------------------------------
 * The step function.
 */
struct index {
	uint32_t op_first[256], op_n[256];
	uint32_t subr_first[S_COUNT], subr_n[S_COUNT];
};

/* Built once: dc_cases is constant, and every run steps through it. */
static struct index case_index;
static pthread_once_t case_index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
	struct index *ix = &case_index;
	for (size_t k = dc_ncases; k-- > 0;) {
		const struct case_def *d = &dc_cases[k];
		if (d->subr >= 0) {
			ix->subr_first[d->subr] = (uint32_t)k;
			ix->subr_n[d->subr]++;
		} else {
			ix->op_first[d->op] = (uint32_t)k;
			ix->op_n[d->op]++;
		}
	}
}

/* Bytes the host's user-memory writer accepted go to its ranges. */
static void hwrite_apply(struct state *s, uint64_t ua, uint64_t from,
                         uint64_t n)
{
	const struct dc_case *c = s->c;
	for (uint64_t b = 0; b < n; b++) {
		uint64_t bad;
		const uint8_t *p = mem_ptr(s, 0, from + b, 1, &bad);
		for (uint32_t k = 0; p && k < c->nhwrites; k++) {
			const struct dc_hwrite *w = &c->hwrites[k];
			if (ua + b - w->addr < w->size) {
				s->hw_img[k][ua + b - w->addr] = *p;
				break;
			}
		}
	}
}

static void apply(struct state *s, const struct insn *i,
                  const struct update *u)
{
	for (uint32_t k = 0; k < u->nmw; k++) {
		const struct mwrite *w = &u->mw[k];
		if (w->kind == MW_BYTES) {
			mem_write(s, w->addr, w->src, w->len);
		} else if (w->kind == MW_ZERO) {
			uint8_t *p = mem_wptr(s, w->addr, w->len);
			if (p)
				memset(p, 0, w->len);
		} else {
			/* the kernel's bcopy copies backwards when the
			 * destination lies above the source (emulator-facts.md
			 * 4): overlapping copies give memmove's result */
			uint8_t *d = mem_wptr(s, w->addr, w->len);
			uint64_t bad;
			const uint8_t *p = mem_ptr(s, 0, w->from, w->len, &bad);
			if (d && p && !w->zlen) {
				memmove(d, p, w->len);
			} else if (d) {
				/* after a fault: the loop itself, in copy order
				 * (it never reads a byte it wrote before) */
				bool fwd = w->addr <= w->from;
				for (uint64_t k = 0; k < w->len; k++) {
					uint64_t off = fwd ? k : w->len - 1 - k;
					const uint8_t *b =
					    mem_ptr(s, 0, w->from + off, 1, &bad);
					d[off] = k < w->len - w->zlen && b ? *b : 0;
				}
			}
		}
	}
	switch (u->varop) {
	case VO_NONE:
		break;
	case VO_STATIC_SET:
		s->svars[u->var].value = u->value;
		break;
	case VO_STATIC_NULL:
		s->svars[u->var].mem[0] = 0xff;
		break;
	case VO_STATIC_CLEAR: {
		struct svar *v = &s->svars[u->var];
		v->mem[0] = 0;
		if (u->copy && u->copylen) {
			uint64_t bad;
			const uint8_t *p = mem_ptr(s, 0, u->value, u->copylen, &bad);
			if (p)
				memmove(v->mem + 8, p, u->copylen);
		}
		break;
	}
	default:
		dyn_apply(s, u);
		break;
	}
	if (u->set_sptr)
		s->sptr = u->sptr;
	if (u->tupop == 1 && s->ttop < NTUPLE)
		s->tup[s->ttop++] = u->push;
	else if (u->tupop == 2 && s->ttop > 0)
		s->ttop--;
	else if (u->tupop == 3)
		s->ttop = 0;
	for (uint32_t k = 0; k < u->ntslot; k++)
		if (u->tslot_at + k < NTUPLE_ALL)
			s->tup[u->tslot_at + k] = u->tslot[k];
	if (u->set_rd && u->rd != 0 && u->rd < 8)
		s->r[u->rd] = u->rdval;
	if (u->set_cc) {
		s->cc_n = u->n;
		s->cc_z = u->z;
		s->cc_v = u->v;
		s->cc_c = u->c;
	}
	if (u->set_tok) {
		s->tok_addr = u->tok_addr;
		s->tok_limit = u->tok_limit;
	}
	if (u->nondet)
		s->nondet = 1;
	if (u->hwrite)
		hwrite_apply(s, u->hw_addr, u->hw_from, u->hw_len);
	if (u->hstore && u->hs_k < DC_MAX_HSTORES) {
		s->hs_set[u->hs_k] = 1;
		s->hs_val[u->hs_k] = u->hs_val;
	}
	if (u->fbits) {
		s->fbits |= u->fbits;
		s->faddr = u->faddr;
		s->fpc = s->pc;
		s->done = 1;
		return;
	}
	if (u->done) {
		s->done = 1;
		s->rval = u->rval;
		return;
	}
	s->pc = u->jump ? u->target : s->pc + 1;
	(void)i;
}

/* dc_spec_run_perturbed: a small change to every part of an update. */
static void perturb(struct state *s, const struct insn *i, struct update *u)
{
	bool any = false;
	if (u->fbits) {
		u->faddr ^= 1;
		any = true;
	}
	if (u->done) {
		u->rval ^= 1;
		any = true;
	}
	if (u->set_rd && u->rd != 0 && !u->nondet) {
		/* (a nondeterministic value is not observable: only that the
		 * instruction completes is) */
		u->rdval ^= 1;
		any = true;
	}
	if (u->set_cc) {
		s->pbranch = true;
		any = true;
	}
	if (i->op >= 17 && i->op <= 27 && !u->fbits) {
		u->jump = !u->jump;
		u->target = i->label;
		any = true;
	}
	if (u->tupop == 1) {
		u->push.v ^= 1;
		any = true;
	} else if (u->tupop) {
		u->tupop = 0;
		any = true;
	}
	for (uint32_t k = 0; k < u->ntslot; k++) {
		u->tslot[k].v ^= 1;
		any = true;
	}
	if (u->set_sptr) {
		u->sptr += 8;
		any = true;
	}
	if (u->set_tok) {
		u->tok_addr ^= 1;
		any = true;
	}
	if (u->hstore) {
		u->hs_val ^= 1;
		any = true;
	}
	any |= u->hwrite && u->hw_len; /* perturb_after */
	switch (u->varop) {
	case VO_STATIC_SET:
		u->value ^= 1;
		any = true;
		break;
	case VO_STATIC_NULL:
	case VO_DYN_DELETE:
		u->varop = VO_NONE;
		any = true;
		break;
	case VO_STATIC_CLEAR:
	case VO_DYN_STORE:
	case VO_DYN_DROP:
		any = true; /* perturb_after */
		break;
	default:
		break;
	}
	for (uint32_t k = 0; k < u->nmw; k++)
		any |= u->mw[k].len != 0;
	if (!any) {
		u->fbits = FBIT(F_ILLOP);
		u->faddr = 0;
	}
}

static void perturb_after(struct state *s, const struct update *u)
{
	for (uint32_t k = 0; k < u->nmw; k++) {
		uint8_t *p = u->mw[k].len ? mem_wptr(s, u->mw[k].addr, 1) : NULL;
		if (p) {
			*p ^= 1;
			break;
		}
	}
	for (uint32_t k = 0; u->hwrite && u->hw_len && k < s->c->nhwrites; k++) {
		const struct dc_hwrite *w = &s->c->hwrites[k];
		if (u->hw_addr - w->addr < w->size) {
			s->hw_img[k][u->hw_addr - w->addr] ^= 1;
			break;
		}
	}
	if (u->varop == VO_STATIC_CLEAR) {
		s->svars[u->var].mem[8] ^= 1;
	} else if (u->varop == VO_DYN_STORE) {
		const struct dynel *d = dyn_find(s, u->key, u->nkeys);
		if (d)
			d->mem[0] ^= 1;
	} else if (u->varop == VO_DYN_DROP) {
		s->drops++;
	}
}

void guard_eval_init(struct guard_eval *g, const struct state *s,
                     const struct insn *i, uint32_t first, uint32_t n)
{
	g->s = s;
	g->i = i;
	g->first = first;
	g->n = n;
	memset(g->cond, -1, sizeof(g->cond));
}

static bool on_profile(const struct guard_eval *g, uint32_t k)
{
	return (dc_cases[g->first + k].pub.profiles >> g->s->profile) & 1;
}

/* cond of case first + k, computed at most once per evaluation. */
static bool cond_of(struct guard_eval *g, uint32_t k)
{
	if (g->cond[k] < 0)
		g->cond[k] = dc_cases[g->first + k].cond(g->s, g->i) ? 1 : 0;
	return g->cond[k] == 1;
}

bool guard_holds(struct guard_eval *g, uint32_t k)
{
	const struct case_def *d = &dc_cases[g->first + k];
	if (!on_profile(g, k))
		return false;
	if (d->excl)
		for (uint32_t j = 0; j < k; j++)
			if (on_profile(g, j) && cond_of(g, j))
				return false;
	return cond_of(g, k);
}

static int step(struct state *s, const struct index *ix, uint32_t *hits,
                struct dc_spec_info *info)
{
	const struct insn *i = &s->text[s->pc];
	uint32_t first, n;
	if (i->op == 47 && dc_hsubr_find(s->c, i->idx) >= 0) {
		/* the host answers this subroutine: call's own cases */
		first = ix->op_first[47];
		n = ix->op_n[47];
	} else if (i->op == 47) {
		int sub = subr_by_number(s->profile, i->idx);
		if (sub < 0)
			return unsup(info, s->pc, "subroutine without a model");
		first = ix->subr_first[sub];
		n = ix->subr_n[sub];
	} else {
		first = ix->op_first[i->op];
		n = ix->op_n[i->op];
	}
	if (n > GROUP_MAX) {
		unsup(info, s->pc, "more cases than GROUP_MAX");
		return DC_SPEC_EMODEL;
	}
	/* every guard of the instruction; exactly one must hold */
	struct guard_eval g;
	guard_eval_init(&g, s, i, first, n);
	int64_t hit = -1;
	unsigned count = 0;
	for (uint32_t k = 0; k < n; k++) {
		if (guard_holds(&g, k)) {
			count++;
			hit = first + k;
		}
	}
	if (count != 1) {
		if (info) {
			snprintf(info->msg, sizeof(info->msg),
			         "[%u]: %u cases apply to %s", s->pc, count,
			         n ? dc_cases[first].pub.insn : "?");
			info->msg_pc = s->pc;
		}
		return DC_SPEC_EMODEL;
	}
	struct update u;
	memset(&u, 0, sizeof(u));
	dc_cases[hit].effect(s, i, &u);
	if (hits)
		hits[hit]++;
	s->steps++;
	bool pert = false;
	if (s->pcase == hit && s->pseen++ == s->pocc) {
		pert = true;
		s->pfired = true;
		perturb(s, i, &u);
	} else if (s->pbranch && i->op >= 18 && i->op <= 27) {
		/* the perturbed condition codes reach this branch */
		s->pbranch = false;
		u.jump = !u.jump;
		u.target = i->label;
	} else if (s->pbranch && u.set_cc) {
		s->pbranch = false; /* overwritten unseen */
	}
	apply(s, i, &u);
	if (pert)
		perturb_after(s, &u);
	return 0;
}

/* Reads the returned string for the outcome (at most strsize bytes). */
static void out_string(const struct state *s, struct dc_outcome *out)
{
	uint64_t max = s->strsize;
	if (max > sizeof(out->string) - 1)
		max = sizeof(out->string) - 1;
	uint64_t n = 0;
	for (; n < max; n++) {
		uint64_t bad;
		const uint8_t *p = mem_ptr(s, 0, s->rval + n, 1, &bad);
		if (!p)
			break;
		if (*p == 0)
			break;
		out->string[n] = (char)*p;
	}
	out->string[n] = '\0';
	out->has_string = s->rval != 0;
}

/* The outcome's string digest (spec/case.h). */
static uint64_t out_digest(const struct state *s, uint32_t mask)
{
	uint64_t h = DC_DIGEST_INIT;
	for (unsigned r = 0; r < 8; r++) {
		if (!(mask >> r & 1))
			continue;
		uint64_t a = r ? s->r[r] : 0;
		if (a == 0) {
			h = dc_digest_byte(h, 1);
			continue;
		}
		h = dc_digest_byte(h, 2);
		uint8_t end = 4;
		for (uint64_t n = 0; n < s->strsize; n++) {
			uint64_t bad;
			const uint8_t *p = mem_ptr(s, 0, a + n, 1, &bad);
			if (!p) {
				end = 3;
				break;
			}
			if (*p == 0) {
				end = 0;
				break;
			}
			h = dc_digest_byte(h, *p);
		}
		h = dc_digest_byte(h, end);
	}
	return h;
}

static int run_model(const struct dc_case *c, struct dc_outcome *out,
                     uint32_t *hits, struct dc_spec_info *info,
                     int64_t pcase, uint32_t pocc, int *fired)
{
	struct state s;
	char msg[160];
	if (info)
		memset(info, 0, sizeof(*info));
	memset(out, 0, sizeof(*out));
	int rc = dc_spec_validate(c, msg, sizeof(msg));
	if (rc) {
		if (info)
			snprintf(info->msg, sizeof(info->msg), "%s", msg);
		return rc;
	}
	rc = state_init(&s, c, info);
	if (rc) {
		state_free(&s);
		return rc;
	}
	s.pcase = pcase;
	s.pocc = pocc;
	pthread_once(&case_index_once, build_index);
	uint32_t runs = c->runs ? c->runs : 1;
	for (uint32_t r = 0; r < runs && rc == 0; r++) {
		state_reset(&s);
		while (!s.done && rc == 0) {
			if (s.pc >= s.textlen) {
				s.done = 1; /* unreachable: last insn is ret */
				break;
			}
			rc = step(&s, &case_index, hits, info);
		}
	}
	if (rc == 0) {
		if (s.fbits) {
			out->fault = fault_pick(s.fbits);
			out->pc = s.fpc;
			out->addr = s.faddr;
			out->rval = 0;
		} else {
			out->rval = s.rval;
			if (c->rtype.kind == 1)
				out_string(&s, out);
			if (c->observe) {
				out->has_digest = 1;
				out->digest = out_digest(&s, c->observe);
			}
		}
		out->drops = s.drops;
		if (c->nhwrites) {
			out->has_hwrite = 1;
			out->hwrite = dc_hwrite_digest(c, s.hw_img);
		}
		if (c->nhstores) {
			out->has_hstore = 1;
			out->hstore = dc_hstore_digest(c->nhstores, s.hs_set,
			                               s.hs_val);
		}
	}
	if (fired)
		*fired = s.pfired;
	if (info) {
		info->drops = s.drops;
		info->steps = s.steps;
		info->nondet = s.nondet;
		info->scratch_used = s.sptr;
	}
	state_free(&s);
	return rc;
}

int dc_spec_run_info(const struct dc_case *c, struct dc_outcome *out,
                     uint32_t *hits, struct dc_spec_info *info)
{
	return run_model(c, out, hits, info, -1, 0, NULL);
}

int dc_spec_run_perturbed(const struct dc_case *c, struct dc_outcome *out,
                          size_t index, uint32_t occurrence, int *fired)
{
	return run_model(c, out, NULL, NULL, (int64_t)index, occurrence, fired);
}

int dc_spec_run(const struct dc_case *c, struct dc_outcome *out,
                uint32_t *hits)
{
	return dc_spec_run_info(c, out, hits, NULL);
}
