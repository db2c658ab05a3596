/*
 * Subroutines that meet the host: copyout through the write callback,
 * strings only the read callback can reach, the dif_host.subr override,
 * region boundaries at strsize.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "difvm/difvm.h"

/* Host memory: user space written by copyout, kernel bytes served by the
 * read callback at KBASE. */
#define UBASE 0x4000u
#define KBASE 0x7000000u
struct host {
	uint8_t user[64];
	char kern[600];
	int fail_write;
	int subr_calls;
};

static int h_read(void *ud, enum dif_as as, uint64_t addr, void *buf,
                  size_t len)
{
	struct host *h = ud;
	if (as != DIF_AS_KERNEL || addr < KBASE ||
	    addr - KBASE > sizeof(h->kern) || len > sizeof(h->kern) - (addr - KBASE))
		return DIF_FAULT_BADADDR;
	memcpy(buf, h->kern + (addr - KBASE), len);
	return 0;
}

static int h_write(void *ud, uint64_t addr, const void *buf, size_t len)
{
	struct host *h = ud;
	if (h->fail_write || addr < UBASE || addr - UBASE > sizeof(h->user) ||
	    len > sizeof(h->user) - (addr - UBASE))
		return DIF_FAULT_BADADDR;
	memcpy(h->user + (addr - UBASE), buf, len);
	return 0;
}

static int h_subr(void *ud, struct dif_ctx *ctx, struct dif_subr_call *c)
{
	struct host *h = ud;
	(void)ctx;
	h->subr_calls++;
	if (c->name && strcmp(c->name, "mutex_owned") == 0) {
		c->result = c->nargs == 1 && c->args[0] == 0x1234;
		return 0;
	}
	if (c->name && strcmp(c->name, "rand") == 0) {
		c->result = 42;
		return 0;
	}
	if (c->name && strcmp(c->name, "getmajor") == 0) {
		c->write_rd = 0; /* like DTrace's unimplemented numbers */
		return 0;
	}
	return DIF_HOST_DEFAULT;
}

struct run {
	struct dif_vm *vm;
	struct dif_ctx *ctx;
	struct dif_prog *prog;
	struct dif_module *mod;
	uint64_t rv;
	int rc;
};

static void run_text(struct run *r, struct host *h, uint32_t strsize,
                     uint32_t deny, const struct dif_region *regs,
                     size_t nregs, const char *text)
{
	struct dif_errors errs = { 0 };
	DIF_OPTS(dif_host, host, .ud = h, .read = h_read, .write = h_write,
	         .subr = h_subr);
	DIF_OPTS(dif_vm_opts, vo, .strsize = strsize, .deny = deny,
	         .host = &host, .regions = regs, .nregions = nregs);
	memset(r, 0, sizeof(*r));
	cr_assert_eq(dif_vm_create(&vo, &r->vm, &errs), 0);
	cr_assert_eq(dif_ctx_create(r->vm, &r->ctx), 0);
	DIF_OPTS(dif_asm_opts, ao);
	cr_assert_eq(dif_asm(text, strlen(text), &ao, &r->mod, &errs), 0,
	             "asm: %s", errs.count ? errs.list[0].msg : "?");
	cr_assert_eq(dif_prog_load(r->vm, dif_module_get(r->mod, 0), &r->prog,
	                           &errs), 0,
	             "load: %s", errs.count ? errs.list[0].msg : "?");
	r->rc = dif_exec(r->prog, r->ctx, &r->rv);
}

static void run_free(struct run *r)
{
	dif_prog_free(r->prog);
	dif_module_free(r->mod);
	dif_ctx_free(r->ctx);
	dif_vm_free(r->vm);
}

static void read_str(struct run *r, uint64_t addr, char *out, size_t cap)
{
	size_t k = 0;
	for (; k + 1 < cap; k++) {
		cr_assert_eq(dif_ctx_read(r->ctx, addr + k, &out[k], 1), 0);
		if (!out[k])
			break;
	}
	out[k] = 0;
}

static int fault_code(struct run *r)
{
	return r->rc ? dif_ctx_fault(r->ctx)->code : DIF_FAULT_NONE;
}

Test(host, copyout_writes_user_memory_and_keeps_rd)
{
	struct host h = { 0 };
	struct run r;
	run_text(&r, &h, 0, 0, NULL, 0,
	         ".difo a\n"
	         "\tsets \"hello\", %r1\n"
	         "\tsetx 0x4008, %r2\n"
	         "\tsetx 6, %r3\n"
	         "\tsetx 99, %r4\n"
	         "\tpushtv ctf, %r1\n"
	         "\tpushtv ctf, %r2\n"
	         "\tpushtv ctf, %r3\n"
	         "\tcall copyout, %r4\n"
	         "\tret %r4\n");
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.rv, 99);
	cr_assert_str_eq((char *)h.user + 8, "hello");
	run_free(&r);
}

Test(host, copyoutstr_copies_through_the_nul_within_size)
{
	struct host h = { 0 };
	struct run r;
	memset(h.user, 'Z', sizeof(h.user));
	run_text(&r, &h, 0, 0, NULL, 0,
	         ".difo a\n"
	         "\tsets \"hey\", %r1\n"
	         "\tsetx 0x4000, %r2\n"
	         "\tsetx 32, %r3\n"
	         "\tpushtv ctf, %r1\n"
	         "\tpushtv ctf, %r2\n"
	         "\tpushtv ctf, %r3\n"
	         "\tcall copyoutstr, %r4\n"
	         "\tret %r0\n");
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(memcmp(h.user, "hey\0ZZ", 6), 0);
	run_free(&r);

	memset(h.user, 'Z', sizeof(h.user));
	run_text(&r, &h, 0, 0, NULL, 0,
	         ".difo a\n"
	         "\tsets \"hello\", %r1\n"
	         "\tsetx 0x4000, %r2\n"
	         "\tsetx 3, %r3\n"
	         "\tpushtv ctf, %r1\n"
	         "\tpushtv ctf, %r2\n"
	         "\tpushtv ctf, %r3\n"
	         "\tcall copyoutstr, %r4\n"
	         "\tret %r0\n");
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(memcmp(h.user, "helZ", 4), 0, "size bounds the copy");
	run_free(&r);
}

Test(host, copyout_write_failure_is_badaddr)
{
	struct host h = { .fail_write = 1 };
	struct run r;
	run_text(&r, &h, 0, 0, NULL, 0,
	         ".difo a\n"
	         "\tsets \"hello\", %r1\n"
	         "\tsetx 0x4000, %r2\n"
	         "\tsetx 6, %r3\n"
	         "\tpushtv ctf, %r1\n"
	         "\tpushtv ctf, %r2\n"
	         "\tpushtv ctf, %r3\n"
	         "\tcall copyout, %r4\n"
	         "\tret %r4\n");
	cr_assert_eq(fault_code(&r), DIF_FAULT_BADADDR);
	cr_assert_eq(dif_ctx_fault(r.ctx)->addr, 0x4000);
	run_free(&r);
}

Test(host, strings_behind_the_read_callback)
{
	struct host h = { 0 };
	struct run r;
	char out[600];
	/* 200 characters: several fetch chunks. */
	for (int i = 0; i < 200; i++)
		h.kern[i] = (char)(i % 10 == 9 ? '/' : 'a' + i % 10);
	h.kern[200] = 0;
	const char *prog =
		".difo a\n"
		"\tsetx 0x7000000, %%r1\n"
		"\tpushtv ctf, %%r1\n"
		"\tcall %s, %%r2\n"
		"\tret %%r2\n";
	char text[256];

	snprintf(text, sizeof(text), prog, "strlen");
	run_text(&r, &h, 0, 0, NULL, 0, text);
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.rv, 200);
	run_free(&r);

	snprintf(text, sizeof(text), prog, "basename");
	run_text(&r, &h, 0, 0, NULL, 0, text);
	cr_assert_eq(r.rc, 0);
	read_str(&r, r.rv, out, sizeof(out));
	cr_assert_str_eq(out, "abcdefghi");
	run_free(&r);

	snprintf(text, sizeof(text), prog, "toupper");
	run_text(&r, &h, 0, 0, NULL, 0, text);
	cr_assert_eq(r.rc, 0);
	read_str(&r, r.rv, out, sizeof(out));
	cr_assert_eq(strlen(out), 200);
	cr_assert_eq(memcmp(out + 190, "ABCDEFGHI/", 10), 0);
	run_free(&r);
}

Test(host, subr_override_and_default)
{
	struct host h = { 0 };
	struct run r;
	run_text(&r, &h, 0, 0, NULL, 0,
	         ".difo a\n"
	         "\tsetx 0x1234, %r1\n"
	         "\tpushtv ctf, %r1\n"
	         "\tcall mutex_owned, %r2\n"
	         "\tcall rand, %r3\n"
	         "\tflushts\n"
	         "\tsets \"abcd\", %r1\n"
	         "\tpushtr string, %r0, %r1\n"
	         "\tcall strlen, %r4\n"
	         "\tsetx 7, %r5\n"
	         "\tcall getmajor, %r5\n"
	         "\tadd %r2, %r3, %r2\n"
	         "\tadd %r2, %r4, %r2\n"
	         "\tadd %r2, %r5, %r2\n"
	         "\tret %r2\n");
	cr_assert_eq(r.rc, 0, "fault %d", fault_code(&r));
	cr_assert_eq(r.rv, 1 + 42 + 4 + 7);
	cr_assert_eq(h.subr_calls, 4);
	run_free(&r);
}

static uint64_t strlen_at(struct host *h, uint32_t strsize,
                          const struct dif_region *reg, int *fault)
{
	struct run r;
	char text[256];
	snprintf(text, sizeof(text),
	         ".difo a\n"
	         "\tsetx 0x%llx, %%r1\n"
	         "\tpushtv ctf, %%r1\n"
	         "\tcall strlen, %%r2\n"
	         "\tret %%r2\n",
	         (unsigned long long)reg->addr);
	run_text(&r, h, strsize, DIF_DENY_KERNEL, reg, 1, text);
	*fault = fault_code(&r);
	uint64_t v = r.rv;
	run_free(&r);
	return v;
}

Test(host, strings_at_the_strsize_and_region_boundaries)
{
	struct host h = { 0 };
	int f;
	char bytes[32];
	struct dif_region reg = { .addr = 0x10000, .bytes = bytes,
	                          .as = DIF_AS_KERNEL,
	                          .flags = DIF_REGION_CANLOAD };

	memset(bytes, 'x', sizeof(bytes));
	bytes[15] = 0; /* 15 characters and the NUL */
	reg.size = 16;
	cr_assert_eq(strlen_at(&h, 16, &reg, &f), 15);
	cr_assert_eq(f, DIF_FAULT_NONE);

	bytes[15] = 'x';
	bytes[16] = 0; /* 16 characters: longer than strsize 16 */
	reg.size = 17;
	cr_assert_eq(strlen_at(&h, 16, &reg, &f), 16);
	cr_assert_eq(f, DIF_FAULT_NONE);

	reg.size = 16; /* the NUL lies outside the region */
	cr_assert_eq(strlen_at(&h, 16, &reg, &f), 0);
	cr_assert_eq(f, DIF_FAULT_NONE);

	bytes[0] = 0; /* empty string in a one-byte region */
	reg.size = 1;
	cr_assert_eq(strlen_at(&h, 16, &reg, &f), 0);
	cr_assert_eq(f, DIF_FAULT_NONE);

	reg.flags = 0; /* not readable without kernel access */
	strlen_at(&h, 16, &reg, &f);
	cr_assert_eq(f, DIF_FAULT_KPRIV);
}
