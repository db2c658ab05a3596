/*
 * Soundness of the verifier, observed: random validator-accepted programs
 * from testgen's generator run with many random inputs and host memories
 * through the interpreter's trace hook (dif_exec_traced). For every state
 * the interpreter reaches, the state the analysis computed for that pc
 * must contain it; every fault of the kinds the verifier promises to
 * report must sit on a pc with a matching error or warning; and no error
 * may sit on a pc some run passed without the defect.
 *
 * Programs come from testgen's generator, or (TC_WORDS=1) are random
 * instruction words of every class with operands the validator accepts.
 * Also counts precision: the share of fault warnings at pcs that never
 * faulted in any run. Usage (also run by the test suite):
 *   tc_soundness [SEED [PROGRAMS [RUNS]]]    SEED 0: a fresh one
 * A violation names the program's own seed; TC_SINGLE=1 tc_soundness SEED
 * replays just that program (TC_DUMP=1 prints it and its findings).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "difvm/difvm.h"
#include "difvm/isa.h"
#include "difvm/typecheck.h"
#include "testgen/tg.h"

struct pcinfo {
	uint8_t visited, faulted;
};

struct sound {
	const struct dif_tc *tc;
	const struct dc_case *c;
	struct dif_tc_state *states; /* per pc */
	uint32_t n;
	enum dif_profile profile;
	/* per run */
	uint8_t written;             /* shadow: registers written so far */
	uint64_t last_regs[DIF_NREGS];
	unsigned last_ttop;
	uint32_t last_pc;
	int bad;                     /* violations in this program */
	uint64_t seed;
	struct pcinfo *pcs;
	/* error findings by pc (index+1 into tc findings, 0 none) */
	uint32_t *err_at;
	char first[512];
};

static unsigned long long violations, programs, runs_done, states_checked;
static unsigned long long faults_seen, warn_total, warn_never, err_total;
static unsigned long long err_reached;
static unsigned long long rule_warn[16], rule_never[16];

static const char *const fault_rules[] = {
	"div-zero", "tuple-overflow", "misaligned", "store-target",
	"scratch-exhausted", "null-deref",
};
static int rule_idx(const char *r)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(fault_rules[i], r) == 0)
			return i;
	return -1;
}

static void violation(struct sound *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void violation(struct sound *s, const char *fmt, ...)
{
	if (!s->bad) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->first, sizeof(s->first), fmt, ap);
		va_end(ap);
	}
	s->bad++;
}

/* Windows of difvm's address layout (docs/conventions.md). */
static int in_window(uint64_t v, uint64_t base)
{
	const uint64_t slack = 1ull << 41;
	return v - (base - slack) < (1ull << 48) + slack;
}

static int value_ok(const struct dif_tc_value *a, uint64_t v)
{
	if (!dif_tc_value_contains(a, v))
		return 0;
	uint32_t k = a->kinds;
	if (k & (DIF_TC_K_NUM | DIF_TC_K_INT | DIF_TC_K_HOST))
		return 1;
	if ((k & DIF_TC_K_NULL) && v == 0)
		return 1;
	if ((k & DIF_TC_K_STRTAB) && in_window(v, DC_VA_STRTAB))
		return 1;
	if ((k & DIF_TC_K_SCRATCH) && in_window(v, DC_VA_SCRATCH))
		return 1;
	if ((k & DIF_TC_K_STATIC) && in_window(v, DC_VA_STATIC))
		return 1;
	if ((k & DIF_TC_K_DYN) && in_window(v, DC_VA_DYNVAR))
		return 1;
	if ((k & DIF_TC_K_ENV) && in_window(v, DC_VA_ENVSTR))
		return 1;
	return 0;
}

/* Registers an instruction reads and writes (bit masks). */
static void reg_use(uint32_t w, enum dif_profile p, unsigned *rd_mask,
                    unsigned *wr_mask)
{
	unsigned op = DIF_I_OP(w), r1 = DIF_I_R1(w) & 7, r2 = DIF_I_R2(w) & 7,
	         rd = DIF_I_RD(w) & 7;
	const struct dif_opinfo *oi = dif_isa_lookup(op, p);
	unsigned r = 0, wm = 0;
	switch (oi ? oi->cls : 0) {
	case DIF_IC_ALU3:
		r = 1u << r1 | 1u << r2;
		if (op == DIF_OPC_COPYS)
			r |= 1u << rd;
		else
			wm = 1u << rd;
		break;
	case DIF_IC_ALU2: r = 1u << r1; wm = 1u << rd; break;
	case DIF_IC_CMP: r = 1u << r1 | 1u << r2; break;
	case DIF_IC_TST: r = 1u << r1; break;
	case DIF_IC_LOAD: r = 1u << r1; wm = 1u << rd; break;
	case DIF_IC_STORE: r = 1u << r1 | 1u << rd; break;
	case DIF_IC_RET: r = 1u << rd; break;
	case DIF_IC_SETX: case DIF_IC_SETS: case DIF_IC_LDV: wm = 1u << rd; break;
	case DIF_IC_LDA: r = 1u << r2; wm = 1u << rd; break;
	case DIF_IC_STGA: r = 1u << r2 | 1u << rd; break;
	case DIF_IC_STV: case DIF_IC_PUSHTV: r = 1u << rd; break;
	case DIF_IC_PUSHTR: r = 1u << r2 | 1u << rd; break;
	case DIF_IC_CALL: {
		int sid = dif_subr_lookup(DIF_I_INDEX(w), p);
		if (sid >= 0 && sid != DIF_S_COPYOUT && sid != DIF_S_COPYOUTSTR &&
		    sid != DIF_S_BCOPY && sid != DIF_S_COPYINTO)
			wm = 1u << rd;
		break;
	}
	default: break;
	}
	*rd_mask = r & ~1u;
	*wr_mask = wm & ~1u;
}

static void on_step(void *ud, const struct dif_trace_state *st)
{
	struct sound *s = ud;
	uint32_t pc = st->pc;
	if (pc >= s->n) {
		violation(s, "trace pc %u outside the program", pc);
		return;
	}
	s->pcs[pc].visited = 2; /* 2: in this run */
	s->last_pc = pc;
	memcpy(s->last_regs, st->regs, sizeof(s->last_regs));
	s->last_ttop = st->ttop;
	states_checked++;
	const struct dif_tc_state *a = &s->states[pc];
	if (!a->reached) {
		violation(s, "pc %u executed but the analysis says unreached", pc);
		return;
	}
	for (unsigned r = 0; r < DIF_NREGS; r++)
		if (!value_ok(&a->regs[r], st->regs[r])) {
			char t[200];
			dif_tc_value_text(&a->regs[r], t, sizeof(t));
			violation(s, "pc %u: %%r%u = 0x%llx not in %s (t=%llx/%llx)", pc, r,
			          (unsigned long long)st->regs[r], t,
			          (unsigned long long)a->regs[r].tvalue,
			          (unsigned long long)a->regs[r].tmask);
		}
	if (st->ttop < a->tdepth_min || st->ttop > a->tdepth_max)
		violation(s, "pc %u: tuple depth %u not in [%u, %u]", pc, st->ttop,
		          a->tdepth_min, a->tdepth_max);
	for (unsigned i = 0; i < st->ttop && i < DIF_NTREGS; i++) {
		unsigned k = st->tsize[i] ? DIF_TC_T_REF : DIF_TC_T_VAL;
		if (!(a->tkinds[i] & k))
			violation(s, "pc %u: tuple[%u] size %llu not of kind %x", pc, i,
			          (unsigned long long)st->tsize[i], a->tkinds[i]);
		if (!value_ok(&a->tvals[i], st->tval[i]))
			violation(s, "pc %u: tuple[%u] = 0x%llx not in its value", pc, i,
			          (unsigned long long)st->tval[i]);
	}
	if (st->scratch_used < a->scratch_min || st->scratch_used > a->scratch_max)
		violation(s, "pc %u: scratch used %llu not in [%llu, %llu]", pc,
		          (unsigned long long)st->scratch_used,
		          (unsigned long long)a->scratch_min,
		          (unsigned long long)a->scratch_max);
	/* errors: the defects checkable before the instruction runs */
	uint32_t e = s->err_at[pc];
	if (e) {
		const struct dif_tc_finding *f = dif_tc_get(s->tc, e - 1);
		uint32_t w = s->c->text[pc];
		unsigned rmask, wmask;
		reg_use(w, s->profile, &rmask, &wmask);
		if (!strcmp(f->rule, "uninit-reg") && !(rmask & ~s->written))
			violation(s, "pc %u: uninit-reg error but every register read "
			          "was written", pc);
		if (!strcmp(f->rule, "null-deref") && DIF_I_OP(w) == DIF_OPC_CALL) {
			int z = 0;
			for (unsigned i = 0; i < st->ttop; i++)
				z |= st->tval[i] == 0;
			if (!z)
				violation(s, "pc %u: null-deref error but no argument is "
				          "NULL", pc);
		}
		if (!strcmp(f->rule, "tuple-args") && st->ttop >= f->aux)
			violation(s, "pc %u: tuple-args error but depth %u >= %u", pc,
			          st->ttop, f->aux);
	}
	unsigned rmask, wmask;
	reg_use(s->c->text[pc], s->profile, &rmask, &wmask);
	s->written |= (uint8_t)wmask;
}

/* Is there a finding of one of rules at pc (error or warning)? */
static int reported(const struct sound *s, uint32_t pc, const char *const *rules,
                    int nrules)
{
	for (size_t i = 0; i < dif_tc_count(s->tc); i++) {
		const struct dif_tc_finding *f = dif_tc_get(s->tc, i);
		if (f->pc != pc || f->severity == DIF_TC_NOTE)
			continue;
		for (int k = 0; k < nrules; k++)
			if (!strcmp(f->rule, rules[k]))
				return 1;
	}
	return 0;
}

static void check_fault(struct sound *s, const struct dif_fault *ft)
{
	static const char *const dz[] = { "div-zero" };
	static const char *const to[] = { "tuple-overflow" };
	static const char *const al[] = { "misaligned", "store-target" };
	static const char *const ns[] = { "scratch-exhausted" };
	static const char *const st[] = { "store-target", "null-deref" };
	uint32_t pc = ft->pc;
	if (pc >= s->n)
		return;
	s->pcs[pc].faulted = 1;
	faults_seen++;
	uint32_t w = s->c->text[pc];
	unsigned op = DIF_I_OP(w);
	const struct dif_opinfo *oi = dif_isa_lookup(op, s->profile);
	int ok = 1;
	const char *name = dif_fault_name(ft->code);
	switch (ft->code) {
	case DIF_FAULT_DIVZERO: ok = reported(s, pc, dz, 1); break;
	case DIF_FAULT_TUPOFLOW: ok = reported(s, pc, to, 1); break;
	case DIF_FAULT_BADALIGN: ok = reported(s, pc, al, 2); break;
	case DIF_FAULT_NOSCRATCH: ok = reported(s, pc, ns, 1); break;
	case DIF_FAULT_BADADDR:
		if (oi && oi->cls == DIF_IC_STORE)
			ok = reported(s, pc, st, 2);
		else if (op == DIF_OPC_COPYS &&
		         ft->addr == s->last_regs[DIF_I_RD(w) & 7])
			ok = reported(s, pc, st, 2);
		else if (op == DIF_OPC_CALL && ft->reason &&
		         strstr(ft->reason, "destination outside allocated scratch"))
			ok = reported(s, pc, st, 2); /* bcopy, copyinto */
		break;
	default: break;
	}
	if (!ok) {
		char insn[64];
		dif_insn_text(w, s->profile, insn, sizeof(insn));
		violation(s, "fault %s at pc %u (%s) was not reported", name, pc, insn);
	}
}

/* Errors whose defect is a certain fault at their pc. */
static void check_errors_after_run(struct sound *s, int faulted,
                                   const struct dif_fault *ft)
{
	for (size_t i = 0; i < dif_tc_count(s->tc); i++) {
		const struct dif_tc_finding *f = dif_tc_get(s->tc, i);
		if (f->severity != DIF_TC_ERROR || f->pc >= s->n)
			continue;
		/* a NULL subroutine argument is checked on the trace (a host
		 * subroutine may ignore it) */
		int call = DIF_I_OP(s->c->text[f->pc]) == DIF_OPC_CALL;
		int must_fault = !strcmp(f->rule, "div-zero") ||
		                 !strcmp(f->rule, "tuple-overflow") ||
		                 !strcmp(f->rule, "misaligned") ||
		                 !strcmp(f->rule, "store-target") ||
		                 !strcmp(f->rule, "scratch-exhausted") ||
		                 (!strcmp(f->rule, "null-deref") && !call);
		if (!must_fault)
			continue;
		/* reached in this run: it must be where the run stopped */
		if (s->pcs[f->pc].visited == 2 &&
		    !(faulted && ft->pc == f->pc))
			violation(s, "%s error at pc %u but a run passed it without a "
			          "fault", f->rule, f->pc);
	}
}

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A variation of the inputs: args, built-in integers, region bytes. */
static void vary(struct dc_case *c, uint64_t *rs, int k)
{
	if (k == 0)
		return;
	for (unsigned i = 0; i < 10; i++) {
		uint64_t r = rnd(rs);
		switch (r % 6) {
		case 0: c->args[i] = 0; break;
		case 1: c->args[i] = (r >> 8) % 17; break;
		case 2: c->args[i] = r; break;
		case 3: c->args[i] = (uint64_t)-(int64_t)((r >> 8) % 5); break;
		default: break; /* keep the generator's (often a pointer) */
		}
	}
	for (uint32_t i = 0; i < c->nbvars; i++)
		if (!c->bvars[i].str && rnd(rs) % 2)
			c->bvars[i].value = rnd(rs) % 3 ? rnd(rs) % 300 : rnd(rs);
	for (uint32_t i = 0; i < c->nregions; i++) {
		struct dc_region *g = &c->regions[i];
		if (!g->bytes || rnd(rs) % 2)
			continue;
		for (uint32_t b = 0; b < g->size; b++) {
			uint64_t r = rnd(rs);
			if (r % 4 == 0)
				g->bytes[b] = (uint8_t)(r >> 8);
			else if (r % 4 == 1)
				g->bytes[b] = 0;
		}
	}
}

/* ---------------------------------------------------------------------
 * A second source of programs: instruction words drawn at random per
 * class with operands the validator accepts, so every opcode and operand
 * combination shows up (testgen's generator builds meaningful snippets).
 */
static const uint64_t word_ints[] = {
	0, 1, 2, 3, 7, 8, 16, 63, 64, 255, 4096, 65536, 0x7fffffffffffffffull,
	0x8000000000000000ull, ~0ull, 0xd1f1000000000000ull,
};
static const char word_strs[] = "\0abc\0hello world\0/usr/lib/x\0a,b\0";
static const uint32_t word_stroffs[] = { 0, 1, 5, 17, 28 };

static uint32_t random_word(uint64_t *rs, uint32_t pc, uint32_t n)
{
	/* half of the words are arithmetic, compares and branches, so runs
	 * get past the first memory access */
	static const unsigned quiet[] = {
		DIF_OPC_OR, DIF_OPC_XOR, DIF_OPC_AND, DIF_OPC_SLL, DIF_OPC_SRL,
		DIF_OPC_SRA, DIF_OPC_SUB, DIF_OPC_ADD, DIF_OPC_MUL, DIF_OPC_SDIV,
		DIF_OPC_UDIV, DIF_OPC_SREM, DIF_OPC_UREM, DIF_OPC_NOT, DIF_OPC_MOV,
		DIF_OPC_CMP, DIF_OPC_TST, DIF_OPC_BE, DIF_OPC_BNE, DIF_OPC_BG,
		DIF_OPC_BGU, DIF_OPC_BGE, DIF_OPC_BGEU, DIF_OPC_BL, DIF_OPC_BLU,
		DIF_OPC_BLE, DIF_OPC_BLEU, DIF_OPC_SETX, DIF_OPC_ALLOCS,
		DIF_OPC_PUSHTV, DIF_OPC_POPTS, DIF_OPC_FLUSHTS,
	};
	for (;;) {
		unsigned op = rnd(rs) % 2
		                  ? quiet[rnd(rs) % (sizeof(quiet) / sizeof(quiet[0]))]
		                  : 1 + (unsigned)(rnd(rs) % 79);
		const struct dif_opinfo *oi = dif_isa_lookup(op, DIF_PROFILE_FREEBSD);
		if (!oi || oi->cls == DIF_IC_XLATE)
			continue;
		unsigned r1 = rnd(rs) % 8, r2 = rnd(rs) % 8, rd = 1 + rnd(rs) % 7;
		switch (oi->cls) {
		case DIF_IC_ALU3: return DIF_ENC_R(op, r1, r2, rd);
		case DIF_IC_ALU2: return DIF_ENC_R(op, r1, 0, rd);
		case DIF_IC_CMP: return DIF_ENC_R(op, r1, r2, 0);
		case DIF_IC_TST: return DIF_ENC_R(op, r1, 0, 0);
		case DIF_IC_BRANCH:
			if (pc + 1 >= n - 1)
				continue;
			return DIF_ENC_B(op, pc + 1 + rnd(rs) % (n - 1 - pc));
		case DIF_IC_LOAD: return DIF_ENC_R(op, r1, 0, rd);
		case DIF_IC_STORE: return DIF_ENC_R(op, r1, 0, rd);
		case DIF_IC_RET:
			if (rnd(rs) % 4)
				continue; /* keep programs long */
			return DIF_ENC_R(op, 0, 0, r1);
		case DIF_IC_NONE: return DIF_ENC_R(op, 0, 0, 0);
		case DIF_IC_SETX:
			return DIF_ENC_W(op, rnd(rs) % (sizeof(word_ints) / 8), rd);
		case DIF_IC_SETS:
			return DIF_ENC_W(op, word_stroffs[rnd(rs) % 5], rd);
		case DIF_IC_LDA: return DIF_ENC_R(op, rnd(rs) % 4, r2, rd);
		case DIF_IC_LDV: {
			unsigned id = 0x500 + (unsigned)(rnd(rs) % 2);
			if (op == DIF_OPC_LDGS && rnd(rs) % 2)
				id = 0x100 + (unsigned)(rnd(rs) % 0x24);
			return DIF_ENC_W(op, id, rd);
		}
		case DIF_IC_STV:
			return DIF_ENC_W(op, 0x500 + rnd(rs) % 2, r1);
		case DIF_IC_CALL:
			return DIF_ENC_W(op, rnd(rs) % 54, rd);
		case DIF_IC_PUSHTR:
			return DIF_ENC_R(op, rnd(rs) % 2, r2, r1);
		case DIF_IC_PUSHTV:
			return DIF_ENC_R(op, 0, r2, r1);
		default:
			continue;
		}
	}
}

static void set_var(struct dc_var *v, uint32_t name, unsigned id, unsigned kind,
                    unsigned scope, unsigned tkind, unsigned flags, uint32_t size)
{
	*v = (struct dc_var){ .name = name, .id = id, .kind = (uint8_t)kind,
	                      .scope = (uint8_t)scope, .flags = 3,
	                      .type = { .kind = (uint8_t)tkind, .ckind = 1,
	                                .flags = (uint8_t)flags, .size = size } };
}

static void gen_words(uint64_t seed, struct dc_case *c)
{
	uint64_t rs = seed;
	uint32_t n = 8 + (uint32_t)(rnd(&rs) % 56);
	c->text = malloc(n * sizeof(*c->text));
	c->inttab = malloc(sizeof(word_ints));
	c->strtab = malloc(sizeof(word_strs));
	c->vartab = malloc(8 * sizeof(*c->vartab));
	if (!c->text || !c->inttab || !c->strtab || !c->vartab)
		return;
	/* most registers start defined (the rest tests uninit-reg) */
	uint32_t pc = 0;
	for (unsigned r = 1; r < 8 && pc + 1 < n; r++)
		if (rnd(&rs) % 4)
			c->text[pc++] = DIF_ENC_W(DIF_OPC_SETX,
			                          rnd(&rs) % (sizeof(word_ints) / 8), r);
	for (; pc + 1 < n; pc++)
		c->text[pc] = random_word(&rs, pc, n);
	c->text[n - 1] = DIF_ENC_R(DIF_OPC_RET, 0, 0, 1 + rnd(&rs) % 7);
	c->textlen = n;
	memcpy(c->inttab, word_ints, sizeof(word_ints));
	c->intlen = sizeof(word_ints) / 8;
	memcpy(c->strtab, word_strs, sizeof(word_strs));
	c->strlen = sizeof(word_strs);
	/* every scope's 0x500 and 0x501: scalar/array, by value/by ref */
	set_var(&c->vartab[0], 1, 0x500, 1, 0, 0, 0, 8);
	set_var(&c->vartab[1], 5, 0x501, 1, 0, 1, 1, 64);
	set_var(&c->vartab[2], 1, 0x500, 1, 1, 0, 0, 8);
	set_var(&c->vartab[3], 5, 0x501, 0, 1, 0, 0, 8);
	set_var(&c->vartab[4], 1, 0x500, 1, 2, 0, 0, 8);
	set_var(&c->vartab[5], 5, 0x501, 1, 2, 0, 1, 16);
	set_var(&c->vartab[6], 17, 0x500, 0, 0, 0, 0, 8);
	set_var(&c->vartab[7], 17, 0x501, 0, 0, 1, 1, 32);
	c->varlen = 8;
	/* ids of one scope must agree in kind: drop the clashing rows */
	c->vartab[6] = c->vartab[0];
	c->vartab[7] = c->vartab[1];
	c->rtype = (struct dc_type){ .kind = (uint8_t)(rnd(&rs) % 2),
	                             .size = rnd(&rs) % 2 ? 8 : 256,
	                             .flags = 0 };
	if (c->rtype.kind == 1)
		c->rtype.flags = 1;
	c->strsize = rnd(&rs) % 3 ? 0 : 16 + rnd(&rs) % 64;
	c->scratch_size = rnd(&rs) % 2 ? 0 : 64 + rnd(&rs) % 512;
	c->deny = (uint32_t)(rnd(&rs) % 16);
	for (unsigned i = 0; i < 10; i++)
		c->args[i] = rnd(&rs) % 3 ? rnd(&rs) % 32 : 0x10000 + rnd(&rs) % 256;
	struct dc_region *g = &c->regions[0];
	g->addr = 0x10000;
	g->size = 256;
	g->flags = 1;
	g->bytes = malloc(256);
	if (g->bytes) {
		for (unsigned i = 0; i < 256; i++)
			g->bytes[i] = (uint8_t)(rnd(&rs) % 4 ? rnd(&rs) : 0);
		c->nregions = 1;
	}
}

static int words_mode;

static int run_program(uint64_t seed, unsigned nruns)
{
	struct dc_case c;
	tg_case_init(&c);
	if (words_mode)
		gen_words(seed, &c);
	else
		tg_gen_random(seed, -1, &c);
	int rc = 0;
	struct dif_difo *difo = NULL;
	struct dif_module *mod = NULL;
	struct dif_tc *tc = NULL;
	struct dif_vm *vm = NULL;
	struct dif_prog *prog = NULL;
	struct dif_ctx *ctx = NULL;
	struct sound s = { 0 };
	if (!tg_case_valid(&c) || tg_case_difo(&c, &difo))
		goto out; /* only validator-accepted programs */
	programs++;
	mod = dif_module_new();
	if (!mod || dif_module_add(mod, difo)) {
		difo = NULL;
		rc = -1;
		goto out;
	}
	const struct dif_difo *d = dif_module_get(mod, 0);
	difo = NULL;
	DIF_OPTS(dif_tc_opts, to, .profile = (enum dif_profile)c.profile,
	         .scratch_size = c.scratch_size, .strsize = c.strsize,
	         .deny = c.deny, .flags = DIF_TC_KEEP_STATES);
	if (dif_typecheck(mod, &to, &tc)) {
		rc = -1;
		goto out;
	}
	s.tc = tc;
	s.c = &c;
	s.n = c.textlen;
	s.seed = seed;
	s.profile = (enum dif_profile)c.profile;
	s.states = calloc(s.n, sizeof(*s.states));
	s.pcs = calloc(s.n, sizeof(*s.pcs));
	s.err_at = calloc(s.n, sizeof(*s.err_at));
	if (!s.states || !s.pcs || !s.err_at) {
		rc = -1;
		goto out;
	}
	for (uint32_t pc = 0; pc < s.n; pc++)
		dif_tc_state_at(tc, 0, pc, &s.states[pc]);
	for (size_t i = 0; i < dif_tc_count(tc); i++) {
		const struct dif_tc_finding *f = dif_tc_get(tc, i);
		if (f->severity == DIF_TC_ERROR && f->pc < s.n && !s.err_at[f->pc])
			s.err_at[f->pc] = (uint32_t)i + 1;
	}
	struct dif_region regs[DC_MAX_REGIONS];
	uint32_t nr = c.nregions < DC_MAX_REGIONS ? c.nregions : DC_MAX_REGIONS;
	for (uint32_t i = 0; i < nr; i++)
		regs[i] = (struct dif_region){ .addr = c.regions[i].addr,
		                               .size = c.regions[i].size,
		                               .bytes = c.regions[i].bytes,
		                               .as = c.regions[i].as,
		                               .flags = c.regions[i].flags };
	DIF_OPTS(dif_vm_opts, vo, .profile = (enum dif_profile)c.profile,
	         .strsize = c.strsize, .scratch_size = c.scratch_size,
	         .dynvar_size = c.dynvar_size ? c.dynvar_size : 65536,
	         .deny = c.deny, .regions = nr ? regs : NULL, .nregions = nr,
	         /* small arenas: VM set-up, not the program, would dominate */
	         .static_size = 65536, .local_size = 16384);
	if (dif_vm_create(&vo, &vm, NULL) || dif_prog_load(vm, d, &prog, NULL) ||
	    dif_ctx_create(vm, &ctx))
		goto out; /* a configuration difvm refuses: nothing to observe */
	uint64_t rs = seed ^ 0x5eed;
	for (unsigned k = 0; k < nruns; k++) {
		vary(&c, &rs, (int)k);
		for (unsigned i = 0; i < 10; i++)
			dif_ctx_set_arg(ctx, i, c.args[i]);
		for (uint32_t i = 0; i < c.nbvars && i < DC_MAX_BVARS; i++) {
			if (c.bvars[i].str)
				dif_ctx_set_string(ctx, c.bvars[i].id, c.bvars[i].str);
			else
				dif_ctx_set_var(ctx, c.bvars[i].id, c.bvars[i].value);
		}
		if (c.thread_key)
			dif_ctx_set_thread(ctx, c.thread_key);
		s.written = 0;
		for (uint32_t pc = 0; pc < s.n; pc++)
			if (s.pcs[pc].visited == 2)
				s.pcs[pc].visited = 1;
		/* visited == 2: reached in this run */
		uint64_t rval;
		struct sound *sp = &s;
		int r = dif_exec_traced(prog, ctx, &rval, on_step, sp);
		runs_done++;
		const struct dif_fault *ft = dif_ctx_fault(ctx);
		if (r)
			check_fault(&s, ft);
		check_errors_after_run(&s, r != 0, ft);
		(void)rval;
	}
	/* warnings that promise a fault, and whether one happened */
	for (size_t i = 0; i < dif_tc_count(tc); i++) {
		const struct dif_tc_finding *f = dif_tc_get(tc, i);
		int ri = rule_idx(f->rule);
		if (ri < 0 || f->pc >= s.n)
			continue;
		if (f->severity == DIF_TC_ERROR) {
			err_total++;
			err_reached += s.pcs[f->pc].visited != 0;
			continue;
		}
		if (f->severity != DIF_TC_WARNING)
			continue;
		warn_total++;
		rule_warn[ri]++;
		if (!s.pcs[f->pc].faulted) {
			warn_never++;
			rule_never[ri]++;
		}
	}
	for (size_t i = 0; i < dif_tc_count(tc); i++) {
		const struct dif_tc_finding *f = dif_tc_get(tc, i);
		if (!strcmp(f->rule, "unreachable"))
			for (uint32_t pc = f->pc; pc <= f->aux && pc < s.n; pc++)
				if (s.pcs[pc].visited)
					violation(&s, "pc %u executed but noted unreachable", pc);
	}
out:
	if (s.bad) {
		violations += (unsigned long long)s.bad;
		fprintf(stderr, "seed %llu: %d violation(s); first: %s\n",
		        (unsigned long long)seed, s.bad, s.first);
		if (getenv("TC_DUMP")) {
			tg_print_case(stderr, &c);
			fprintf(stderr, "scratch %llu strsize %u deny %u\n",
			        (unsigned long long)c.scratch_size, c.strsize, c.deny);
			for (size_t i = 0; i < dif_tc_count(tc); i++) {
				const struct dif_tc_finding *f = dif_tc_get(tc, i);
				fprintf(stderr, "  %u: %s %s: %s\n", f->pc, f->rule,
				        f->severity == DIF_TC_ERROR ? "error" : "warning",
				        f->reason);
			}
		}
	}
	free(s.states);
	free(s.pcs);
	free(s.err_at);
	dif_ctx_free(ctx);
	dif_prog_free(prog);
	dif_vm_free(vm);
	dif_tc_free(tc);
	dif_module_free(mod);
	dif_difo_free(difo);
	tg_case_free(&c);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;
	unsigned long nprog = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000;
	unsigned nruns = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 8;
	if (!seed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)ts.tv_nsec;
	}
	printf("tc_soundness: seed %llu, %lu programs, %u runs each "
	       "(replay: tc_soundness %llu %lu %u)\n",
	       (unsigned long long)seed, nprog, nruns, (unsigned long long)seed,
	       nprog, nruns);
	/* TC_WORDS=1: random instruction words instead of testgen's programs */
	words_mode = getenv("TC_WORDS") != NULL;
	/* TC_SINGLE=1: SEED is one program's seed (as a violation prints) */
	int single = getenv("TC_SINGLE") != NULL;
	for (unsigned long i = 0; i < nprog; i++)
		if (run_program(single ? seed + i : tg_mix(seed, i), nruns) != 0) {
			fprintf(stderr, "out of memory\n");
			return 2;
		}
	printf("programs %llu, runs %llu, states checked %llu, faults %llu, "
	       "fault errors %llu (%llu reached by a run, which faulted there)\n",
	       programs, runs_done, states_checked, faults_seen, err_total,
	       err_reached);
	printf("precision: %llu of %llu fault warnings at pcs that never faulted "
	       "(%.1f%%)\n", warn_never, warn_total,
	       warn_total ? 100.0 * (double)warn_never / (double)warn_total : 0.0);
	for (int i = 0; i < 6; i++)
		if (rule_warn[i])
			printf("  %-18s %llu of %llu never faulted\n", fault_rules[i],
			       rule_never[i], rule_warn[i]);
	printf("violations: %llu\n", violations);
	return violations ? 1 : 0;
}
