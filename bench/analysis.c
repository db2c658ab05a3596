/*
 * difbench --typecheck: the verifier's speed and growth on large programs.
 *
 * Builds modules of many synthetic DIFOs (branches, loads, divisions,
 * allocations, stores, calls, variables; every DIFO valid and up to the
 * 256 KiB DIFO limit) and times structural validation alone
 * (dif_validate_module) against the full analysis (dif_typecheck, which
 * validates too). Prints instructions per second, the ratio to
 * validation, the growth of time when the input grows 4x (the target is
 * at most 5x), and the peak resident memory after each size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "difvm/difvm.h"
#include "difvm/isa.h"
#include "difvm/typecheck.h"

#include "bench.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One DIFO of n instructions made of the shapes compiled D code has. */
static struct dif_difo *make_difo(uint32_t n, uint64_t seed, unsigned idx)
{
	uint32_t *t = malloc(n * sizeof(*t));
	static const uint64_t ints[] = { 0, 1, 8, 16, 64, 255, 4096 };
	static const char strs[] = "\0abc\0execname\0x";
	struct dif_var vars[2] = {
		{ .name = 9, .id = 0x500, .kind = DIF_VKIND_SCALAR,
		  .scope = DIF_VSCOPE_GLOBAL, .flags = 3,
		  .type = { .kind = DIF_TYPE_CTF, .ckind = 1, .size = 8 } },
		{ .name = 14, .id = 0x500, .kind = DIF_VKIND_ARRAY,
		  .scope = DIF_VSCOPE_THREAD, .flags = 3,
		  .type = { .kind = DIF_TYPE_CTF, .ckind = 1, .size = 8 } },
	};
	uint32_t pc = 0;
	while (pc + 24 < n) {
		uint32_t end = pc + 20; /* branch targets stay inside the shape */
		switch (mix(&seed) % 4) {
		case 0: /* guarded division */
			t[pc++] = DIF_ENC_R(DIF_OPC_LDGA, 0, 0, 1);
			t[pc++] = DIF_ENC_R(DIF_OPC_LDUB, 1, 0, 2);
			t[pc++] = DIF_ENC_R(DIF_OPC_TST, 2, 0, 0);
			t[pc] = DIF_ENC_B(DIF_OPC_BE, pc + 3);
			pc++;
			t[pc++] = DIF_ENC_R(DIF_OPC_UDIV, 1, 2, 3);
			t[pc++] = DIF_ENC_R(DIF_OPC_ADD, 3, 2, 4);
			t[pc++] = DIF_ENC_W(DIF_OPC_SETX, 3, 5);
			t[pc++] = DIF_ENC_R(DIF_OPC_CMP, 4, 5, 0);
			t[pc++] = DIF_ENC_B(DIF_OPC_BGU, end);
			t[pc++] = DIF_ENC_R(DIF_OPC_SLL, 4, 5, 6);
			break;
		case 1: /* scratch buffer and stores */
			t[pc++] = DIF_ENC_W(DIF_OPC_SETX, 3, 1);
			t[pc++] = DIF_ENC_R(DIF_OPC_ALLOCS, 1, 0, 2);
			t[pc++] = DIF_ENC_W(DIF_OPC_SETX, 2, 3);
			t[pc++] = DIF_ENC_R(DIF_OPC_ADD, 2, 3, 4);
			t[pc++] = DIF_ENC_R(DIF_OPC_STX, 3, 0, 4);
			t[pc++] = DIF_ENC_R(DIF_OPC_STW, 1, 0, 2);
			t[pc++] = DIF_ENC_R(DIF_OPC_LDX, 4, 0, 5);
			t[pc++] = DIF_ENC_R(DIF_OPC_SRL, 5, 3, 6);
			break;
		case 2: /* strings and a call */
			t[pc++] = DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0);
			t[pc++] = DIF_ENC_W(DIF_OPC_SETS, 1, 1);
			t[pc++] = DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 1);
			t[pc++] = DIF_ENC_W(DIF_OPC_CALL, 12, 2); /* strlen */
			t[pc++] = DIF_ENC_W(DIF_OPC_LDGS, 0x118, 3); /* execname */
			t[pc++] = DIF_ENC_R(DIF_OPC_SCMP, 1, 3, 0);
			t[pc++] = DIF_ENC_B(DIF_OPC_BNE, end);
			t[pc++] = DIF_ENC_R(DIF_OPC_MOV, 2, 0, 4);
			break;
		default: /* variables and an associative array */
			t[pc++] = DIF_ENC_W(DIF_OPC_LDGS, 0x500, 1);
			t[pc++] = DIF_ENC_W(DIF_OPC_SETX, 1, 2);
			t[pc++] = DIF_ENC_R(DIF_OPC_ADD, 1, 2, 1);
			t[pc++] = DIF_ENC_W(DIF_OPC_STGS, 0x500, 1);
			t[pc++] = DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0);
			t[pc++] = DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 1);
			t[pc++] = DIF_ENC_W(DIF_OPC_LDTAA, 0x500, 3);
			t[pc++] = DIF_ENC_R(DIF_OPC_TST, 3, 0, 0);
			t[pc++] = DIF_ENC_B(DIF_OPC_BE, end);
			t[pc++] = DIF_ENC_W(DIF_OPC_STTAA, 0x500, 1);
			break;
		}
		while (pc < end)
			t[pc++] = DIF_ENC_R(DIF_OPC_XOR, 1, 2, 7);
	}
	while (pc + 1 < n)
		t[pc++] = DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0);
	t[pc++] = DIF_ENC_R(DIF_OPC_RET, 0, 0, 1);
	char name[32];
	snprintf(name, sizeof(name), "d%u", idx);
	DIF_OPTS(dif_difo_parts, parts, .name = name, .text = t, .textlen = pc,
	         .inttab = ints, .intlen = 7, .strtab = strs,
	         .strlen = sizeof(strs), .vartab = vars, .varlen = 2,
	         .rtype = { .kind = DIF_TYPE_CTF, .ckind = 1, .size = 8 });
	struct dif_difo *d = NULL;
	if (dif_difo_create(&parts, &d, NULL))
		d = NULL;
	free(t);
	return d;
}

static struct dif_module *make_module(unsigned ndifo, uint32_t n)
{
	struct dif_module *m = dif_module_new();
	for (unsigned i = 0; m && i < ndifo; i++) {
		/* 16 different DIFOs, repeated: 4x the DIFOs is 4x the same work */
		struct dif_difo *d = make_difo(n, 42 + i % 16, i);
		if (!d || dif_module_add(m, d)) {
			dif_module_free(m);
			return NULL;
		}
	}
	return m;
}

struct size_result {
	unsigned ndifo;
	uint32_t n;
	double t_val, t_tc;
	size_t findings;
	long maxrss_kb;
};

/* One timing of validation and of the full analysis of m into r. */
static int time_once(const struct dif_module *m, struct size_result *r)
{
	double t0 = now_s();
	if (dif_validate_module(m, NULL, NULL) != 0)
		return -1;
	double t1 = now_s();
	struct dif_tc *tc;
	if (dif_typecheck(m, NULL, &tc) != 0)
		return -1;
	double t2 = now_s();
	r->findings = dif_tc_count(tc);
	dif_tc_free(tc);
	if (t1 - t0 < r->t_val)
		r->t_val = t1 - t0;
	if (t2 - t1 < r->t_tc)
		r->t_tc = t2 - t1;
	return 0;
}

/* A pair of sizes, timed alternately (best of reps each: the machine is
 * shared, so the minimum is the cost and both sizes see the same load). */
static int measure_pair(unsigned da, uint32_t na, unsigned db, uint32_t nb,
                        unsigned reps, struct size_result *ra,
                        struct size_result *rb)
{
	struct dif_module *ma = make_module(da, na), *mb = make_module(db, nb);
	int rc = ma && mb ? 0 : -1;
	*ra = (struct size_result){ da, na, 1e30, 1e30, 0, 0 };
	*rb = (struct size_result){ db, nb, 1e30, 1e30, 0, 0 };
	for (unsigned k = 0; k < reps && rc == 0; k++)
		rc = time_once(ma, ra) || time_once(mb, rb) ? -1 : 0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	ra->maxrss_kb = rb->maxrss_kb = ru.ru_maxrss; /* peak of the pair */
	dif_module_free(ma);
	dif_module_free(mb);
	return rc;
}

int bench_analysis(int argc, char **argv)
{
	unsigned reps = 7;
	if (argc > 1)
		reps = (unsigned)strtoul(argv[1], NULL, 0);
	if (reps < 1 || reps > 100) {
		fprintf(stderr, "difbench --typecheck: repetitions 1..100\n");
		return 2;
	}
	/* (DIFOs, instructions each): each pair of lines grows 4x */
	static const struct { unsigned d; uint32_t n; } sizes[] = {
		{ 16, 4096 }, { 16, 16384 },   /* 4x longer DIFOs */
		{ 16, 4096 }, { 64, 4096 },    /* 4x more DIFOs */
		{ 4, 16000 }, { 4, 64000 },    /* up to the 256 KiB DIFO limit */
	};
	printf("%-8s %-8s %10s %12s %12s %8s %9s %10s\n", "DIFOs", "insns",
	       "total", "validate/s", "typecheck/s", "ratio", "findings",
	       "maxrss KiB");
	int status = 0;
	for (size_t i = 0; i + 1 < sizeof(sizes) / sizeof(sizes[0]); i += 2) {
		struct size_result r[2];
		if (measure_pair(sizes[i].d, sizes[i].n, sizes[i + 1].d,
		                 sizes[i + 1].n, reps, &r[0], &r[1])) {
			fprintf(stderr, "difbench --typecheck: could not build or check "
			        "%u x %u\n", sizes[i].d, sizes[i].n);
			return 1;
		}
		for (int k = 0; k < 2; k++) {
			double total = (double)r[k].ndifo * r[k].n;
			printf("%-8u %-8u %10.0f %12.3g %12.3g %7.2fx %9zu %10ld\n",
			       r[k].ndifo, r[k].n, total, total / r[k].t_val,
			       total / r[k].t_tc, r[k].t_tc / r[k].t_val, r[k].findings,
			       r[k].maxrss_kb);
			if (total / r[k].t_tc < 1e6) {
				printf("  below 1M instructions/s\n");
				status = 1;
			}
		}
		double g = r[1].t_tc / r[0].t_tc;
		printf("  growth for 4x input: %.2fx time (target <= 5x)\n", g);
		if (g > 5.0)
			status = 1;
	}
	return status;
}
