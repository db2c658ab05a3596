/*
 * A conformance case: a DIF program, the state it starts in, and the outcome
 * of running it. This is the contract between spec/ (which computes
 * outcomes), testgen/ (which generates, stores and replays cases) and any
 * runtime under test. It depends on nothing but libc: spec/ never includes
 * difvm headers, and difvm/ never includes this file.
 *
 * Canonical memory layout (docs/runtime-protocol.md): a runtime under test
 * places the program's own memory at these DIF addresses, so that pointer
 * values agree between runtimes.
 */
#ifndef DIFSPEC_CASE_H
#define DIFSPEC_CASE_H

#include <stddef.h>
#include <stdint.h>

#define DC_VA_STRTAB  0xd1f0000000000000ull /* DIFO string table, offset 0 */
#define DC_VA_SCRATCH 0xd1f1000000000000ull /* scratch, allocations 8-aligned */
#define DC_VA_STATIC  0xd1f2000000000000ull /* static variable storage */
#define DC_VA_DYNVAR  0xd1f3000000000000ull /* dynamic variable arena */
#define DC_VA_ENVSTR  0xd1f4000000000000ull /* built-in string variables */
#define DC_VA_END     0xd1f5000000000000ull /* host regions must avoid [STRTAB, END) */
/* User space is [0, DC_USER_TOP): DTrace's user copies check their user
 * range against its top first (docs/conventions.md 1). */
#define DC_USER_TOP   0x0000800000000000ull
/* Bytes of a mutex that mutex_owned checks with canload before it needs
 * the operating system: one lock word (docs/conventions.md). */
#define DC_MUTEX_SIZE 8

enum dc_profile { DC_PROFILE_FREEBSD = 0, DC_PROFILE_ILLUMOS = 1 };

struct dc_type { uint8_t kind, ckind, flags; uint32_t size; };
struct dc_var {
	uint32_t name, id;
	uint8_t kind, scope;
	uint16_t flags;
	struct dc_type type;
};

/* Host memory the program may read (address space 0 kernel, 1 user). */
struct dc_region {
	uint64_t addr;
	uint32_t size;
	uint8_t as;
	uint8_t flags; /* 1 canload (thread-own data: loadable without kernel
	                  visibility when proc privilege is held), 2 toxic */
	uint8_t *bytes;
};

/* Built-in variable value (integer, or a string when str != NULL). */
struct dc_bvar {
	uint32_t id;
	uint64_t value;
	char *str;
};

#define DC_MAX_REGIONS 8
#define DC_MAX_BVARS 32

/* Host callback answers (difvm's struct dif_host; docs/corpus.md "Host
 * answers"). A runtime under test installs callbacks that answer from
 * these tables; a key that is not listed gets the callback's "default"
 * (the runtime's own behaviour). `code` is what the callback returns:
 * 0 answered, 1..9 a DTRACEFLT_* fault, 10..255 an invalid code (a host
 * bug, which faults ILLOP). */
#define DC_MAX_HVARS 16
#define DC_MAX_HSUBRS 16
#define DC_MAX_HSTORES 8
#define DC_HC_INVALID 10 /* codes from here up are invalid */
#define DC_HC_MAX 255
#define DC_MAX_HWRITES 8
#define DC_MAX_HWRITE_SIZE 4096
/* difvm hands user-memory writes (copyout, copyoutstr) to the host in
 * pieces of at most this many bytes, at uaddr + k * DC_HWRITE_PIECE
 * (docs/conventions.md Decisions 29). */
#define DC_HWRITE_PIECE 256
/* User memory the host write callback serves: a write of [a, +n) whose
 * first byte lies in [addr, +size) gets the range's code; with code 0 it
 * is stored when it ends inside the range, else refused like a byte
 * outside every range (the callback's default: BADADDR). The outcome's
 * hwrite digest holds what each range received. */
struct dc_hwrite {
	uint64_t addr;
	uint32_t size;
	uint32_t code;
};
#define DC_MAX_HREADS 4
/* Memory the host read callback serves (not a registered region): a read
 * of [a, +n) in address space `as` that lies inside the range gets its
 * bytes; any other read gets the callback's default (BADADDR). Like a
 * region that is not loadable: without kernel visibility checked loads
 * and string checks fail (KPRIV). Ranges neither overlap nor touch each
 * other or a region, so that a read lies inside one at most. */
struct dc_hread {
	uint64_t addr;
	uint32_t size;
	uint8_t as;
	uint8_t *bytes;
};
/* Built-in variable (id 0x100.., index 0) or built-in array element (id <
 * 0x100, index = array index): value when code is 0. */
struct dc_hvar {
	uint32_t id;
	uint64_t index;
	uint32_t code;
	uint64_t value;
};
/* Subroutine (by number under the case's profile): when code is 0 the
 * call is handled; result goes to rd when write_rd is 1. */
struct dc_hsubr {
	uint32_t subr;
	uint32_t code;
	uint64_t result;
	uint32_t write_rd;
};
/* Store to a built-in array element (illumos STGA to uregs[]): code 0
 * accepts it, and the host keeps the last value stored (the outcome's
 * hstore digest). */
struct dc_hstore {
	uint32_t id;
	uint64_t index;
	uint32_t code;
};

struct dc_case {
	/* configuration */
	uint32_t profile;      /* enum dc_profile */
	uint32_t strsize;      /* string size limit (0: 256) */
	uint64_t scratch_size; /* scratch bytes (0: 65536) */
	uint64_t dynvar_size;  /* dynamic variable arena bytes (0: 1 MiB) */
	uint32_t deny;         /* privileges withheld: 1 kernel, 2 proc, 4 owner, 8 destructive */
	/* program */
	uint32_t *text;
	uint32_t textlen;
	uint64_t *inttab;
	uint32_t intlen;
	char *strtab;
	uint32_t strlen;
	struct dc_var *vartab;
	uint32_t varlen;
	struct dc_type rtype;
	/* environment */
	uint64_t args[10];
	uint64_t thread_key;
	struct dc_bvar bvars[DC_MAX_BVARS];
	uint32_t nbvars;
	struct dc_region regions[DC_MAX_REGIONS];
	uint32_t nregions;
	/* runs: the program is run `runs` times (0 means 1) in one VM and one
	 * context, so variables persist between runs; the outcome is the last
	 * run's. */
	uint32_t runs;
	/* registers (bit i = %ri) whose final values the outcome digests as
	 * strings, by content (see dc_outcome.digest); 0 = none */
	uint32_t observe;
	/* host callback answers (see struct dc_hvar) */
	struct dc_hvar hvars[DC_MAX_HVARS];
	uint32_t nhvars;
	struct dc_hsubr hsubrs[DC_MAX_HSUBRS];
	uint32_t nhsubrs;
	struct dc_hstore hstores[DC_MAX_HSTORES];
	uint32_t nhstores;
	struct dc_hwrite hwrites[DC_MAX_HWRITES];
	uint32_t nhwrites;
	struct dc_hread hreads[DC_MAX_HREADS];
	uint32_t nhreads;
};

/* The case installs host callbacks (a runtime that cannot honour them
 * answers "unsupported"). */
static inline int dc_case_has_host(const struct dc_case *c)
{
	return c->nhvars || c->nhsubrs || c->nhstores || c->nhwrites ||
	       c->nhreads;
}

struct dc_outcome {
	uint64_t rval;  /* 0 after a fault */
	uint32_t fault; /* DTRACEFLT_* code, 0 none */
	uint32_t pc;    /* faulting instruction index */
	uint64_t addr;  /* illegal value for the fault */
	/* when the return type is a string (kind 1) and there is no fault:
	 * the string read at rval, at most strsize bytes */
	uint32_t has_string;
	char string[4096];
	/* dynamic variable stores dropped (arena full), over all runs */
	uint64_t drops;
	/* when the case observes registers and there is no fault: FNV-1a 64
	 * of the strings the observed registers point to at the end of the
	 * last run (dc_digest_* below) */
	uint32_t has_digest;
	uint64_t digest;
	/* when the case has host store answers: FNV-1a 64 over, for each
	 * dc_hstore in order, 0x00 when no store reached it, else 0x01 and
	 * the last value stored (8 bytes, least significant first); over all
	 * runs, with or without a fault */
	uint32_t has_hstore;
	uint64_t hstore;
	/* when the case has host write ranges: FNV-1a 64 over the bytes each
	 * dc_hwrite range holds at the end (zeros where nothing was written),
	 * ranges in order, over all runs, with or without a fault */
	uint32_t has_hwrite;
	uint64_t hwrite;
};

/* The string digest (docs/corpus.md): for each observed register in
 * ascending order, 0x01 when it holds 0, else 0x02, the bytes of the string
 * it points to (at most strsize, stopping before a NUL or the first
 * unreadable byte) and an end mark: 0x00 NUL, 0x03 unreadable, 0x04 limit. */
#define DC_DIGEST_INIT 0xcbf29ce484222325ull
static inline uint64_t dc_digest_byte(uint64_t h, uint8_t b)
{
	return (h ^ b) * 0x100000001b3ull;
}

/* The outcome's hstore digest from what each dc_hstore holds: set[k]
 * non-zero when a store reached entry k, val[k] the last value. */
static inline uint64_t dc_hstore_digest(uint32_t n, const uint8_t *set,
                                        const uint64_t *val)
{
	uint64_t h = DC_DIGEST_INIT;
	for (uint32_t k = 0; k < n; k++) {
		h = dc_digest_byte(h, set[k] ? 1 : 0);
		for (unsigned b = 0; set[k] && b < 8; b++)
			h = dc_digest_byte(h, (uint8_t)(val[k] >> (8 * b)));
	}
	return h;
}

/* Index of the host answer for a built-in variable or array element, a
 * subroutine, or an array store; -1 when there is none (the default). */
static inline int dc_hvar_find(const struct dc_case *c, uint32_t id,
                               uint64_t index)
{
	for (uint32_t k = 0; k < c->nhvars && k < DC_MAX_HVARS; k++)
		if (c->hvars[k].id == id && c->hvars[k].index == index)
			return (int)k;
	return -1;
}
static inline int dc_hsubr_find(const struct dc_case *c, uint32_t subr)
{
	for (uint32_t k = 0; k < c->nhsubrs && k < DC_MAX_HSUBRS; k++)
		if (c->hsubrs[k].subr == subr)
			return (int)k;
	return -1;
}
static inline int dc_hstore_find(const struct dc_case *c, uint32_t id,
                                 uint64_t index)
{
	for (uint32_t k = 0; k < c->nhstores && k < DC_MAX_HSTORES; k++)
		if (c->hstores[k].id == id && c->hstores[k].index == index)
			return (int)k;
	return -1;
}

/* The host's answer to a write of n bytes at a (one piece): 0 stored,
 * else the code it returns; -1 for the default (no range holds a, or the
 * write runs past the range's end). *k gets the range. */
static inline int dc_hwrite_answer(const struct dc_case *c, uint64_t a,
                                   uint64_t n, int *k)
{
	for (uint32_t i = 0; i < c->nhwrites && i < DC_MAX_HWRITES; i++) {
		const struct dc_hwrite *w = &c->hwrites[i];
		if (a - w->addr >= w->size)
			continue;
		*k = (int)i;
		if (w->code)
			return (int)w->code;
		return n <= w->size - (a - w->addr) ? 0 : -1;
	}
	*k = -1;
	return -1;
}

/* The outcome's hwrite digest over the images of the ranges. */
static inline uint64_t dc_hwrite_digest(const struct dc_case *c,
                                        uint8_t *const *img)
{
	uint64_t h = DC_DIGEST_INIT;
	for (uint32_t i = 0; i < c->nhwrites && i < DC_MAX_HWRITES; i++)
		for (uint32_t b = 0; b < c->hwrites[i].size; b++)
			h = dc_digest_byte(h, img[i] ? img[i][b] : 0);
	return h;
}

/* Host read ranges keep apart (struct dc_hread): 1 when no two of them,
 * and no range and region, overlap or touch, and none is empty or wraps. */
static inline int dc_hreads_ok(const struct dc_case *c)
{
	for (uint32_t i = 0; i < c->nhreads; i++) {
		const struct dc_hread *h = &c->hreads[i];
		if (i >= DC_MAX_HREADS || h->size == 0 || !h->bytes ||
		    h->addr + h->size < h->addr)
			return 0;
		for (uint32_t j = 0; j < c->nregions + i && j < DC_MAX_REGIONS + i; j++) {
			uint64_t a, n;
			if (j < c->nregions) {
				a = c->regions[j].addr;
				n = c->regions[j].size;
			} else {
				a = c->hreads[j - c->nregions].addr;
				n = c->hreads[j - c->nregions].size;
			}
			/* [a, a + n] and [addr, addr + size] share a point */
			if (h->addr - a <= n || a - h->addr <= h->size)
				return 0;
		}
	}
	return 1;
}

#endif
