/*
 * libFuzzer harness for validate + exec: the input is a program (words,
 * integer table, string table) plus host region bytes and a few VM
 * options. Accepted programs run against host regions that sit between
 * PROT_NONE guard pages, flush with their ends, so a read one byte outside
 * a region faults the process (and libFuzzer reports it). The result must
 * be a value or a documented fault.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "difvm/difvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREG 3

struct guarded {
	uint8_t *map;
	size_t maplen;
	uint8_t *bytes; /* the region: ends where the guard page starts */
};

/* [guard][data pages][guard]; the region's last byte is the last byte
 * before the second guard. */
static int guard_alloc(struct guarded *g, const uint8_t *src, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (len + pg - 1) / pg * pg;
	g->maplen = data + 2 * pg;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
	              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		return -1;
	mprotect(g->map, pg, PROT_NONE);
	mprotect(g->map + pg + data, pg, PROT_NONE);
	g->bytes = g->map + pg + data - len;
	memcpy(g->bytes, src, len);
	mprotect(g->map + pg, data, PROT_READ); /* regions are read-only */
	return 0;
}

static uint8_t take(const uint8_t **p, size_t *n)
{
	if (!*n)
		return 0;
	(*n)--;
	return *(*p)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	uint8_t hdr = take(&p, &n);
	enum dif_profile prof = hdr & 1 ? DIF_PROFILE_ILLUMOS : DIF_PROFILE_FREEBSD;
	uint32_t deny = (hdr >> 1) & 15;
	unsigned ntext = 1 + take(&p, &n) % 48;
	unsigned nint = take(&p, &n) % 8;
	unsigned nstr = take(&p, &n) % 64;
	uint32_t text[48];
	uint64_t ints[8];
	char str[64];
	for (unsigned i = 0; i < ntext; i++) {
		uint32_t w = 0;
		for (int b = 0; b < 4; b++)
			w = w << 8 | take(&p, &n);
		text[i] = w;
	}
	for (unsigned i = 0; i < nint; i++) {
		uint64_t v = 0;
		for (int b = 0; b < 8; b++)
			v = v << 8 | take(&p, &n);
		ints[i] = v;
	}
	for (unsigned i = 0; i < nstr; i++)
		str[i] = (char)take(&p, &n);
	if (nstr)
		str[nstr - 1] = 0;
	DIF_OPTS(dif_difo_parts, parts, .text = text, .textlen = ntext,
	         .inttab = ints, .intlen = nint, .strtab = str, .strlen = nstr,
	         .rtype = { .kind = (uint8_t)(hdr >> 7), .size = 8 });
	struct dif_difo *d = NULL;
	if (dif_difo_create(&parts, &d, NULL))
		return 0;
	DIF_OPTS(dif_validate_opts, vo, .profile = prof);
	if (dif_validate(d, &vo, NULL)) {
		dif_difo_free(d);
		return 0;
	}

	/* Regions: the rest of the input split in three, at fixed kernel and
	 * user addresses small programs can reach with setx. */
	struct guarded g[NREG];
	struct dif_region regs[NREG];
	size_t nreg = 0, chunk = n / NREG;
	static const uint64_t base[NREG] = { 0x1000, 0x100000, 0x1000 };
	for (size_t i = 0; i < NREG && chunk; i++) {
		if (guard_alloc(&g[nreg], p + i * chunk, chunk))
			break;
		regs[nreg] = (struct dif_region){ base[i], chunk, g[nreg].bytes,
		                                  i == 2 ? DIF_AS_USER : DIF_AS_KERNEL,
		                                  i == 1 ? DIF_REGION_CANLOAD : 0 };
		nreg++;
	}
	DIF_OPTS(dif_vm_opts, o, .profile = prof, .deny = deny,
	         .scratch_size = 4096, .dynvar_size = 1 << 16,
	         .static_size = 1 << 16, .local_size = 1 << 12,
	         .regions = nreg ? regs : NULL, .nregions = nreg);
	struct dif_vm *vm = NULL;
	struct dif_prog *prog = NULL;
	struct dif_ctx *ctx = NULL;
	if (dif_vm_create(&o, &vm, NULL) == 0 &&
	    dif_prog_load(vm, d, &prog, NULL) == 0 &&
	    dif_ctx_create(vm, &ctx) == 0) {
		for (unsigned r = 0; r < 2; r++) {
			uint64_t rv;
			int rc = dif_exec(prog, ctx, &rv);
			if (rc == DIF_E_FAULT) {
				int code = dif_ctx_fault(ctx)->code;
				if (code < DIF_FAULT_BADADDR || code > DIF_FAULT_BADSTACK)
					abort();
			} else if (rc != 0) {
				abort();
			} else {
				char buf[16];
				dif_ctx_read(ctx, rv, buf, sizeof(buf));
			}
		}
	}
	dif_ctx_free(ctx);
	dif_prog_free(prog);
	dif_vm_free(vm);
	dif_difo_free(d);
	for (size_t i = 0; i < nreg; i++)
		munmap(g[i].map, g[i].maplen);
	return 0;
}
