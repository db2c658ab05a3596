/*
 * Internal execution services shared by the interpreter (interp.c), the
 * memory model (mem.c), variables (vars.c), contexts (ctx.c, vm.c) and the
 * subroutines (subr.c). Not installed.
 *
 * Address layout, scratch and dynamic-variable accounting follow
 * docs/conventions.md exactly; the formal model follows the same page.
 */
#ifndef DIFVM_EXEC_H
#define DIFVM_EXEC_H

#include <stdatomic.h>
#include <stdbool.h>

#include "hash.h"
#include "internal.h"

/* ---------------------------------------------------------------------
 * The VM address window (conventions.md section 1).
 */
#define DIF_WIN_STRTAB 0xd1f0000000000000ull
#define DIF_WIN_SCRATCH 0xd1f1000000000000ull
#define DIF_WIN_STATIC 0xd1f2000000000000ull
#define DIF_WIN_LOCAL 0xd1f2800000000000ull /* clause-locals, per context */
#define DIF_WIN_DYNAMIC 0xd1f3000000000000ull
#define DIF_WIN_ENV 0xd1f4000000000000ull
#define DIF_WIN_END 0xd1f5000000000000ull

#define DIF_PUSHTR_DEFAULT 256u   /* PUSHTR string bound when R[rsz] is 0 */
#define DIF_TUPLE_SLOTS (DIF_NTREGS + 2u) /* + var id + thread key */
#define DIF_CTX_NARGS 32u         /* args[] values a context holds */
#define DIF_BYREF_NULL 0xffu      /* by-ref static header byte 0: NULL */

/* Condition-code bits (V is never set by DIF, kept for clarity). */
#define DIF_CC_N 0x8u
#define DIF_CC_Z 0x4u
#define DIF_CC_V 0x2u
#define DIF_CC_C 0x1u

/* Fault bits, one per DIF_FAULT_* code (bit = 1 << code). */
#define DIF_FBIT(code) (1u << (code))

/* ---------------------------------------------------------------------
 * Pre-decoded instruction: one per DIF word, decoded once at load time.
 */
struct dif_insn {
	const void *hp; /* handler address (computed-goto builds), else NULL */
	uint16_t h;  /* handler index (enum dif_handler in interp.c) */
	uint8_t r1;
	uint8_t r2;
	uint8_t rd;  /* destination, store address or source register */
	uint8_t w;   /* width / small operand (load width, type kind ...) */
	uint16_t sid; /* subroutine semantic id (CALL) */
	uint32_t aux; /* branch target, variable id, subroutine number ... */
	uint32_t aux2; /* variable slot / size info */
	uint64_t k;   /* resolved constant (SETX value, SETS address, offset) */
};

/* Per-variable information resolved at load time. */
struct dif_varslot {
	uint32_t id;
	uint8_t scope;  /* DIF_VSCOPE_* */
	uint8_t kind;   /* DIF_VKIND_* */
	uint8_t byref;  /* DIF_TF_BYREF set */
	uint8_t string; /* DIF_TYPE_STRING */
	uint32_t size;  /* type size (by-ref data bytes) */
	uint64_t off;   /* static / local storage offset (header for by-ref) */
};

struct dif_prog {
	struct dif_vm *vm;
	struct dif_insn *insns;
	uint32_t ninsns;
	char *strtab; /* copy of the DIFO string table */
	uint32_t strlen;
	char *symtab; /* copy of the symbol table (poison reasons), or NULL */
	struct dif_type rtype;
	struct dif_varslot *slots; /* referenced by dif_insn.aux2 */
	uint32_t nslots;
	size_t capslots;
	char *name;
	/* The VM's list of live programs (dif_vm_free detaches them). */
	struct dif_prog *vm_prev, *vm_next;
	bool linked;
	/* Load time only (freed when loading ends): (scope, id, kind) ->
	 * slot, and (scope, id) -> the DIFO's first variable-table row. */
	struct dif_hmap *slotidx, *declidx;
};

/* One dynamic-variable chunk's bookkeeping (kept outside the arena so a
 * program can never see or overwrite it). */
struct dif_dynchunk {
	uint32_t next;     /* hash chain or free list (UINT32_MAX: end) */
	uint32_t nkeys;    /* key elements incl. var id (and thread key) */
	uint32_t used;     /* bytes of the chunk in use */
	uint32_t dataoff;  /* offset of the value inside the chunk */
	uint32_t datasize; /* round_up(max(8, size), 8) */
	uint32_t live;     /* 1 while the element exists */
	uint64_t hash;
};

/* Registered user variable (vm-wide for globals and thread-locals, and
 * clause-locals whose storage is per context). */
struct dif_vmvar {
	uint32_t id;
	uint8_t scope;
	uint8_t kind;
	uint8_t flags; /* type flags */
	uint8_t tkind; /* type kind */
	uint32_t size;
	uint64_t off;
};

struct dif_vm {
	enum dif_profile profile;
	uint32_t strsize;
	uint64_t scratch_size;
	uint32_t deny;
	struct dif_host host; /* copy; zero when none */
	bool has_host;
	struct dif_region *regions;
	size_t nregions;
	/* Sorted views of the regions per address space (vm.c): readable
	 * ones by address (they never overlap), toxic ones by address with
	 * the running maximum of their ends. Lookups are O(log n). */
	struct dif_rindex {
		const struct dif_region **r;
		uint64_t *maxend; /* toxic only */
		size_t n;
	} readable[2], toxic[2];

	/* Static storage: globals (shared) and the clause-local layout. */
	uint8_t *statics;
	uint64_t static_size, static_used;
	uint64_t local_size, local_used;
	struct dif_vmvar *vars; /* registry, load time only */
	struct dif_hmap *varidx; /* (scope, id, kind) -> vars[] */
	struct dif_vstate *vstate; /* validator state across loads (rule 29) */
	size_t nvars, capvars;

	/* Dynamic arena: thread-locals and associative arrays. */
	uint8_t *dyn;
	uint64_t dynvar_size;
	uint32_t chunk;   /* chunk size in bytes */
	uint32_t nchunks;
	struct dif_dynchunk *chunks;
	uint32_t *buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t freelist;
	uint64_t drops;
	uint64_t dyn_used;

	/* Live programs and contexts, so that freeing a program clears the
	 * contexts that last ran it and freeing the VM detaches both. */
	struct dif_prog *progs;
	struct dif_ctx *ctxs;

	atomic_flag lock; /* guards statics, the arena and the registry */
	atomic_uint_fast64_t seed; /* per-context rand seeds */
};

/* Execution state: lives inside the context, reset by dif_exec. */
struct dif_run {
	uint64_t regs[DIF_NREGS];
	uint64_t tval[DIF_TUPLE_SLOTS]; /* tuple stack values */
	uint64_t tsize[DIF_TUPLE_SLOTS]; /* 0 = by value, else by-ref bytes */
	unsigned ttop;
	unsigned cc; /* DIF_CC_* */

	/* Scratch (DIF addresses) and its host buffer: DIF address a maps to
	 * scratch_buf + (a - scratch_base). */
	uint64_t scratch_base;
	uint64_t scratch_ptr;
	uint64_t scratch_limit; /* base + scratch_size */
	uint8_t *scratch_buf;

	uint32_t strsize;
	unsigned nsnap; /* string sources snapshotted by this subroutine */
	enum dif_profile profile;
	uint32_t deny; /* DIF_DENY_* */

	/* Faults raised by the current instruction (bits) and its record. */
	unsigned fbits;
	uint64_t illval;
	const char *reason;
	uint32_t pc;

	struct dif_ctx *ctx;
	struct dif_vm *vm;
	const struct dif_prog *prog;

	/* Subroutine state valid during one execution. */
	uint64_t strtok_next; /* strtok(NULL, ...) continuation, 0 = none */
	uint64_t strtok_limit; /* end of the string's checked range */
	uint64_t rand_state[2];
};

/* String built-in variables held in the env-strings window. */
#define DIF_ENV_NSLOTS 16u

struct dif_ctx {
	struct dif_vm *vm;
	struct dif_run run;
	struct dif_fault fault;
	void *user;
	uint8_t *scratch;     /* vm->scratch_size bytes */
	uint8_t *locals;      /* vm->local_size bytes */
	uint64_t args[DIF_CTX_NARGS];
	uint64_t bvals[DIF_BVAR_COUNT]; /* integer built-ins by enum dif_bvar_id */
	uint8_t bset[DIF_BVAR_COUNT];   /* 1 once set (dif_ctx_set_var/string) */
	uint64_t thread;
	bool thread_set;
	uint8_t *keybuf;      /* vm->chunk bytes: by-ref key contents */
	char *env;            /* DIF_ENV_NSLOTS * strsize bytes */
	int8_t envslot[DIF_BVAR_COUNT]; /* string built-in -> env slot or -1 */
	struct dif_ctx *vm_prev, *vm_next; /* the VM's list of contexts */
	bool linked;
	atomic_flag busy; /* set while dif_exec (or a ctx call) runs on it */
};

/* The VM's lists of programs and contexts (under the VM lock). */
#define DIF_VMLIST_ADD(head, node)             \
	do {                                       \
		(node)->vm_prev = NULL;                \
		(node)->vm_next = (head);              \
		if (head)                              \
			(head)->vm_prev = (node);          \
		(head) = (node);                       \
		(node)->linked = true;                 \
	} while (0)
#define DIF_VMLIST_DEL(head, node)                         \
	do {                                                   \
		if ((node)->vm_prev)                               \
			(node)->vm_prev->vm_next = (node)->vm_next;    \
		else                                               \
			(head) = (node)->vm_next;                      \
		if ((node)->vm_next)                               \
			(node)->vm_next->vm_prev = (node)->vm_prev;    \
		(node)->linked = false;                            \
	} while (0)

/* Host callback return codes: 0, a DIF_FAULT_* code, or DIF_HOST_DEFAULT
 * (handled by the caller before this). Anything else is a host bug and
 * becomes ILLOP with a reason (docs/interpreter.md), never an unknown
 * fault bit. */
#define DIF_REASON_BADHOST "host callback returned an invalid code"
static inline int dif_host_rc(struct dif_run *run, int rc)
{
	if (rc >= DIF_FAULT_BADADDR && rc <= DIF_FAULT_BADSTACK)
		return rc;
	run->reason = DIF_REASON_BADHOST;
	return DIF_FAULT_ILLOP;
}

/* ---------------------------------------------------------------------
 * Faults.
 */

/* Records a fault raised by the current instruction; execution stops when
 * the instruction finishes. When several are raised, the reported code
 * follows DTrace's priority (BADADDR, ILLOP, DIVZERO, KPRIV, UPRIV,
 * TUPOFLOW, BADALIGN, NOSCRATCH, BADSTACK); illval is the last one given. */
static inline void dif_fault(struct dif_run *run, int code, uint64_t illval)
{
	/* Codes come from tables and checked callbacks; this guard keeps a
	 * stray one from becoming an undefined shift (fault path only). */
	if ((unsigned)code - 1u > DIF_FAULT_BADSTACK - 1u)
		code = DIF_FAULT_ILLOP;
	run->fbits |= DIF_FBIT(code);
	run->illval = illval;
}
/* The same with a static explanation (shown by tools). */
static inline void dif_fault_why(struct dif_run *run, int code,
                                 uint64_t illval, const char *reason)
{
	dif_fault(run, code, illval);
	run->reason = reason;
}
/* User space is [0, DIF_USER_TOP) (docs/conventions.md 1). */
#define DIF_USER_TOP 0x0000800000000000ull
/* [a, +n) wraps or passes the top: DTrace's user range check fails. */
static inline bool dif_urange_bad(uint64_t a, uint64_t n)
{
	return a + n < a || a + n > DIF_USER_TOP;
}
/* Bytes of a mutex that mutex_owned checks with canload before it needs
 * the host: one lock word (docs/conventions.md). */
#define DIF_MUTEX_SIZE 8

/* The illegal address of a failed load of [addr, +len): addr when it
 * touches a toxic range (dif-isa.md 2.4), else the first unreadable byte
 * (emulator-facts.md 4). Slow path only. */
DIF_INTERNAL uint64_t dif_load_bad(struct dif_run *run, enum dif_as as,
                                   uint64_t addr, size_t len);
/* The fault code the bits report. */
DIF_INTERNAL int dif_fault_pick(unsigned fbits);
/* DTrace's bcopy after its source failed to read as a whole: n bytes from
 * src into out (the host bytes of DIF address dst), byte by byte in copy
 * order (forwards when dst <= src, else backwards); from the first byte
 * that does not read on, every byte is stored as 0, as the kernel's loads
 * return 0 once a fault is flagged (docs/conventions.md, Decision 14).
 * Raises nothing. Slow path only. */
DIF_INTERNAL void dif_copy_faulted(struct dif_run *run, uint64_t src,
                                   uint64_t dst, uint8_t *out, uint64_t n);

/* ---------------------------------------------------------------------
 * Access checks (dif-isa.md 4.3). Range tests are overflow safe.
 */

/* True when the consumer may read [addr, addr+size); else raises KPRIV
 * with illval = addr and returns false. With kernel-read visibility
 * (DIF_DENY_KERNEL clear) always true: the read itself may still fault
 * BADADDR. */
DIF_INTERNAL bool dif_canload(struct dif_run *run, uint64_t addr,
                              uint64_t size);
/* Like dif_canload, also giving the bytes readable from addr to the end of
 * the region it lies in; with kernel visibility (nothing is checked) the
 * requested size, as DTrace's range-remain macro does. */
DIF_INTERNAL bool dif_canload_rem(struct dif_run *run, uint64_t addr,
                                  uint64_t size, uint64_t *remain);
/* True when [addr, addr+size) is VM storage a program may write: the
 * scratch area, the static and clause-local storage, the value part of a
 * live dynamic variable. Raises nothing. */
DIF_INTERNAL bool dif_canstore(struct dif_run *run, uint64_t addr,
                               uint64_t size);
/* String check: the start must be loadable and a NUL must lie within
 * min(bound, readable remaining); *len gets strlen. On failure returns
 * false: KPRIV raised when the start is not loadable, silently otherwise
 * (SCMP relies on the difference). A read fault raises BADADDR. */
DIF_INTERNAL bool dif_strcanload(struct dif_run *run, uint64_t addr,
                                 uint64_t bound, uint64_t *len);
/* dtrace_vcanload: strings with bound strsize, else canload(size). */
DIF_INTERNAL bool dif_vcanload(struct dif_run *run, uint64_t addr,
                               uint64_t size, bool string);

/* ---------------------------------------------------------------------
 * Memory access.
 */

/* Reads len bytes at a DIF address: the VM window, registered regions of
 * address space `as`, then the host read callback. Returns 0 or a fault
 * code (does not raise). */
DIF_INTERNAL int dif_mem_read(struct dif_run *run, enum dif_as as,
                              uint64_t addr, void *buf, size_t len);
/* The readable region of address space `as` holding [addr, addr+len), or
 * NULL. */
DIF_INTERNAL const struct dif_region *dif_region_find(const struct dif_vm *vm,
                                                      unsigned as,
                                                      uint64_t addr,
                                                      uint64_t len);
/* True when [addr, addr+max(len,1)) overlaps a toxic range of `as`
 * (addr + len must not wrap). */
DIF_INTERNAL bool dif_toxic_overlap(const struct dif_vm *vm, unsigned as,
                                    uint64_t addr, uint64_t len);
/* dif_mem_read that raises the fault (illval = addr); true on success. */
DIF_INTERNAL bool dif_load(struct dif_run *run, enum dif_as as,
                           uint64_t addr, void *buf, size_t len);
/* Host pointer for [addr, addr+size) when it lies inside VM-owned memory
 * (string table, scratch, statics, locals, dynamic arena, env strings);
 * NULL otherwise. Read-only for the string table and env strings. */
DIF_INTERNAL uint8_t *dif_vm_ptr(struct dif_run *run, uint64_t addr,
                                 uint64_t size);
/* Read-only host view of VM memory at addr and the bytes available
 * contiguously from there (*avail), or NULL outside VM memory. */
DIF_INTERNAL const uint8_t *dif_vm_span(struct dif_run *run, uint64_t addr,
                                        uint64_t *avail);
/* Writable host pointer for a range dif_canstore accepts, else NULL. */
DIF_INTERNAL uint8_t *dif_store_ptr(struct dif_run *run, uint64_t addr,
                                    uint64_t size);
/* Writes user memory through the host (copyout); raises BADADDR (illval
 * = addr) when there is no write callback or it fails. */
DIF_INTERNAL bool dif_user_write(struct dif_run *run, uint64_t addr,
                                 const void *buf, size_t len);
/* strnlen at a DIF address via dif_mem_read (raises BADADDR on a read
 * fault and returns bound). */
DIF_INTERNAL uint64_t dif_strnlen(struct dif_run *run, uint64_t addr,
                                  uint64_t bound);
/* The same without raising: *rc gets the fault code of the unreadable
 * byte it stopped at (0: none) and the result is that byte's offset. */
DIF_INTERNAL uint64_t dif_strnlen_rc(struct dif_run *run, uint64_t addr,
                                     uint64_t bound, int *rc);

/* ---------------------------------------------------------------------
 * Scratch (conventions.md section 2).
 */

/* allocs/alloca: 8-aligned, `size` bytes; NOSCRATCH and 0 on failure.
 * Zeroes the bytes when zero is true. */
DIF_INTERNAL uint64_t dif_scratch_alloc(struct dif_run *run, uint64_t size,
                                        bool zero);
/* String result buffers: no alignment; NOSCRATCH and 0 when size bytes do
 * not fit. The host pointer is stored in *host when non-NULL. */
DIF_INTERNAL uint64_t dif_scratch_buf(struct dif_run *run, uint64_t size,
                                      uint8_t **host);
static inline uint8_t *dif_scratch_host(struct dif_run *run, uint64_t addr)
{
	return run->scratch_buf + (addr - run->scratch_base);
}

/* ---------------------------------------------------------------------
 * Subroutines. difvm/subr.c implements dif_subr_call; the interpreter
 * calls it for CALL after the host override (dif_host.subr) declined and
 * after DIF_SF_HOST subroutines were turned away. Arguments are
 * run->tval[0..ttop-1] (run->tsize for by-ref sizes); the result goes to
 * run->regs[rd] (or not, per dif-isa.md 2.9). Faults via dif_fault().
 */
DIF_INTERNAL void dif_subr_call(struct dif_run *run, int sid, unsigned rd);

/* Per-context pseudo-random numbers (rand() without a host override). */
DIF_INTERNAL uint64_t dif_rand_next(struct dif_run *run);

/* ---------------------------------------------------------------------
 * Loading (vm.c, interp.c) and variables (vars.c).
 */

/* Slot (index into prog->slots) for a user variable, registering it in
 * the VM (static storage for global/clause-local scalars) on first use. */
DIF_INTERNAL int dif_var_resolve(struct dif_vm *vm, struct dif_prog *prog,
                                 const struct dif_difo *d, unsigned scope,
                                 unsigned id, unsigned kind, uint32_t *slot,
                                 struct dif_errors *errs);
/* Frees the load-time indexes of prog. */
DIF_INTERNAL void dif_prog_drop_indexes(struct dif_prog *prog);
/* Pre-decodes text (already validated, LDxx rewritten) into prog->insns. */
DIF_INTERNAL int dif_decode(struct dif_prog *prog, const struct dif_difo *d,
                            const uint32_t *text, struct dif_errors *errs);

/* Static by-ref variables: header at storage, data 8 bytes later. */
DIF_INTERNAL uint64_t dif_static_load_ref(struct dif_run *run,
                                          const struct dif_varslot *s);
DIF_INTERNAL void dif_static_store_ref(struct dif_run *run,
                                       const struct dif_varslot *s,
                                       uint64_t src);
/* Dynamic variables: thread-local scalars (assoc = false) and
 * associative elements keyed by the tuple stack. */
DIF_INTERNAL uint64_t dif_dyn_load(struct dif_run *run,
                                   const struct dif_varslot *s, bool assoc);
DIF_INTERNAL void dif_dyn_store(struct dif_run *run,
                                const struct dif_varslot *s, bool assoc,
                                uint64_t val);
/* Thread key of the running context. */
DIF_INTERNAL uint64_t dif_thread_key(struct dif_run *run);

/* ---------------------------------------------------------------------
 * Locking of vm-wide mutable state (statics, dynamic arena).
 */
static inline void dif_vm_lock(struct dif_vm *vm)
{
	while (atomic_flag_test_and_set_explicit(&vm->lock, memory_order_acquire))
		;
}
static inline void dif_vm_unlock(struct dif_vm *vm)
{
	atomic_flag_clear_explicit(&vm->lock, memory_order_release);
}

#endif
