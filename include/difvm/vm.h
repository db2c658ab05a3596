/*
 * difvm execution API: load validated DIFOs, run them in contexts.
 * Included by difvm.h; including it on its own includes difvm.h first.
 *
 * Objects:
 *   struct dif_vm   configuration plus variable storage shared by every
 *                   program loaded into it (globals, thread-locals,
 *                   associative arrays).
 *   struct dif_prog a pre-decoded program; read-only while it runs.
 *   struct dif_ctx  one per thread or CPU: scratch, tuple stack,
 *                   clause-locals, built-in variable values, the last fault.
 * dif_exec() allocates nothing.
 *
 * Contract of every function below (tests/misuse checks each rule):
 *   NULL     A NULL handle or out-pointer is an error, never a crash:
 *            int functions return DIF_E_INVAL (dif_ctx_read: BADADDR),
 *            *_free(NULL) does nothing, dif_ctx_fault(NULL) is NULL,
 *            dif_vm_get_stats(NULL, out) zeroes *out. On failure an
 *            out-pointer that is not NULL is set to NULL.
 *   Owner    The caller owns every handle it gets and frees it with the
 *            matching *_free. Option structs, regions, DIFOs and strings
 *            passed in are copied (the host struct too); they may be freed
 *            after the call returns.
 *   Lifetime Programs and contexts belong to one VM. Free them before the
 *            VM; if the VM goes first they are detached: dif_exec,
 *            dif_ctx_read and dif_ctx_set_var/string on them fail
 *            (DIF_E_INVAL / BADADDR) and only *_free is useful. Freeing a
 *            program makes dif_ctx_read of its string table fault BADADDR
 *            in every context that ran it.
 *   Threads  One VM may be shared: dif_prog_load, dif_ctx_create/free,
 *            dif_prog_free and dif_exec in different contexts may run at
 *            the same time. A context is used by one caller at a time: a
 *            second dif_exec on a context that is running (another thread,
 *            or a host callback re-entering it) returns DIF_E_BUSY at once
 *            and touches nothing. Host callbacks may call dif_ctx_read and
 *            dif_ctx_user on the context they are given. Do not free a VM,
 *            program or context while another thread uses it.
 *   Sizes    Every size option is capped (docs/limits.md): strsize 1 MiB,
 *            scratch, dynvar, static and local areas 1 GiB each, 65536
 *            regions; more is DIF_E_LIMIT.
 */
/* The types this header uses (enum dif_profile, struct dif_errors, ...)
 * and DIF_API; difvm.h includes this header back at its end. */
#include "difvm/difvm.h"

#ifndef DIFVM_VM_H
#define DIFVM_VM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fault codes: the DTRACEFLT_* numbers. */
enum dif_fault_code {
	DIF_FAULT_NONE = 0, /* no fault (DTrace's "unknown" is never raised) */
	DIF_FAULT_BADADDR = 1,
	DIF_FAULT_BADALIGN = 2,
	DIF_FAULT_ILLOP = 3,
	DIF_FAULT_DIVZERO = 4,
	DIF_FAULT_NOSCRATCH = 5,
	DIF_FAULT_KPRIV = 6,
	DIF_FAULT_UPRIV = 7,
	DIF_FAULT_TUPOFLOW = 8,
	DIF_FAULT_BADSTACK = 9,
};
DIF_API const char *dif_fault_name(int code); /* "DIVZERO" */
DIF_API const char *dif_fault_text(int code); /* "divide-by-zero" */

struct dif_fault {
	int code;           /* enum dif_fault_code */
	uint32_t pc;        /* instruction index of the faulting instruction */
	uint64_t addr;      /* illegal value (address) */
	const char *reason; /* static text, e.g. "no host subroutine" */
};

/* Address spaces a host memory read targets. */
enum dif_as { DIF_AS_KERNEL = 0, DIF_AS_USER = 1 };

/* Host memory regions (the ready-made default memory interface). */
#define DIF_REGION_CANLOAD 0x1u /* thread-own data: checked loads without kernel
                                   visibility may read it with proc privilege */
#define DIF_REGION_TOXIC 0x2u   /* any access faults BADADDR */
struct dif_region {
	uint64_t addr;
	uint64_t size;
	const void *bytes; /* NULL for toxic ranges */
	uint32_t as;       /* enum dif_as */
	uint32_t flags;    /* DIF_REGION_* */
};

/* Privileges the consumer lacks (0 = all privileges, like root). */
#define DIF_DENY_KERNEL 0x1u      /* no kernel-read visibility: LDxx act as RLDxx */
#define DIF_DENY_PROC 0x2u        /* no proc privilege (UPRIV on pid, uregs...) */
#define DIF_DENY_OWNER 0x4u       /* no proc-control (copyout -> UPRIV) */
#define DIF_DENY_DESTRUCTIVE 0x8u /* destructive actions not allowed */

/* Returned by host callbacks to ask for difvm's own behaviour. A callback
 * returns 0, DIF_HOST_DEFAULT or a fault code 1..9 (DIF_FAULT_BADADDR ..
 * DIF_FAULT_BADSTACK); any other value is a host bug and faults ILLOP
 * with the reason "host callback returned an invalid code". */
#define DIF_HOST_DEFAULT (-1)

struct dif_ctx;

/* A subroutine call as seen by a host override (see dif_host.subr). */
struct dif_subr_call {
	unsigned subr;              /* number under the VM's profile */
	const char *name;           /* its name, or NULL */
	unsigned nargs;             /* tuple stack depth at the call */
	const uint64_t *args;       /* tuple values */
	const uint64_t *sizes;      /* tuple sizes (0 = by value) */
	uint64_t rd_in;             /* destination register before the call */
	uint64_t result;            /* out: value for the destination register */
	int write_rd;               /* out: 1 (default) to write result */
};

struct dif_host {
	size_t size;
	void *ud;
	/* Reads memory that is not difvm's own. Return 0, or a fault code
	 * (normally DIF_FAULT_BADADDR). NULL: only the registered regions. */
	int (*read)(void *ud, enum dif_as as, uint64_t addr, void *buf,
	            size_t len);
	/* Writes user memory (copyout, copyoutstr). NULL: BADADDR. */
	int (*write)(void *ud, uint64_t addr, const void *buf, size_t len);
	/* Built-in variable (0x100..0x4ff) or array element (id < 0x100,
	 * index = array index). Return 0 with *val set, a fault code, or
	 * DIF_HOST_DEFAULT for the context's value table. */
	int (*var)(void *ud, struct dif_ctx *ctx, unsigned id, uint64_t index,
	           uint64_t *val);
	/* Subroutine hook, called before difvm's own implementation. Return
	 * 0 when handled, a fault code, or DIF_HOST_DEFAULT. Subroutines
	 * that need an OS fault ILLOP when this does not handle them. */
	int (*subr)(void *ud, struct dif_ctx *ctx, struct dif_subr_call *call);
	/* speculation(), mutex_owned() etc. go through subr; rand() too if
	 * set, else a per-context xorshift generator. */
	/* Stores a built-in array element (illumos STGA to uregs[]). Return
	 * 0 or a fault code. NULL: BADADDR ("no thread registers"). */
	int (*var_store)(void *ud, struct dif_ctx *ctx, unsigned id,
	                 uint64_t index, uint64_t val);
};

struct dif_vm_opts {
	size_t size;
	enum dif_profile profile;         /* default FreeBSD */
	uint32_t strsize;                 /* 0: 256 */
	uint64_t scratch_size;            /* per context; 0: 64 KiB */
	uint64_t dynvar_size;             /* thread-locals + assoc; 0: 1 MiB */
	uint32_t deny;                    /* DIF_DENY_* */
	const struct dif_host *host;      /* NULL: regions + value table */
	const struct dif_region *regions; /* copied at create time */
	size_t nregions;
	uint64_t static_size;             /* globals' storage; 0: 1 MiB */
	uint64_t local_size;              /* clause-locals per context; 0: 64 KiB */
	/* Testing only: static and clause-local storage start this many
	 * bytes (rounded up to 8) into their windows and the dynamic arena
	 * hands out chunks from a different one first, so that a program
	 * whose outcome depends on where variables lie shows it. 0: none. */
	uint64_t layout_shift;
};

struct dif_vm_stats {
	uint64_t dynvar_drops; /* stores dropped: dynamic variable space full */
	uint64_t dynvar_used;  /* bytes in use */
};

struct dif_vm;
struct dif_prog;

/* opts NULL: every default. E_OPTS, E_INVAL (bad profile or region),
 * E_LIMIT (a size past its cap), E_NOMEM; errs may be NULL. */
DIF_API int dif_vm_create(const struct dif_vm_opts *opts, struct dif_vm **out,
                          struct dif_errors *errs);
DIF_API void dif_vm_free(struct dif_vm *vm);
DIF_API void dif_vm_get_stats(const struct dif_vm *vm,
                              struct dif_vm_stats *out);

/* Validates (dif_validate with the VM's profile) and pre-decodes. The DIFO
 * may be freed afterwards; the program must be freed before the VM (see
 * Lifetime above). */
DIF_API int dif_prog_load(struct dif_vm *vm, const struct dif_difo *difo,
                          struct dif_prog **out, struct dif_errors *errs);
DIF_API void dif_prog_free(struct dif_prog *prog);

DIF_API int dif_ctx_create(struct dif_vm *vm, struct dif_ctx **out);
DIF_API void dif_ctx_free(struct dif_ctx *ctx);
/* Per-firing inputs. args[i] for i < 10 also give arg0..arg9. */
DIF_API int dif_ctx_set_arg(struct dif_ctx *ctx, unsigned i, uint64_t v);
/* Integer built-in variable (pid, tid, timestamp, ...). */
DIF_API int dif_ctx_set_var(struct dif_ctx *ctx, unsigned id, uint64_t v);
/* String built-in variable (execname, probefunc, ...); copied. */
DIF_API int dif_ctx_set_string(struct dif_ctx *ctx, unsigned id,
                               const char *s);
/* Thread key for thread-local variables. Default: DTrace's key for the
 * tid value, (tid + 0xffff) & (2^61 - 1). A key of at most
 * DIF_THREAD_KEY_MIN - 1 could equal a variable's key entry (var - 0x500)
 * and is refused with DIF_E_INVAL; DTrace never forms one. */
#define DIF_THREAD_KEY_MIN 0xfb00u
DIF_API int dif_ctx_set_thread(struct dif_ctx *ctx, uint64_t key);
DIF_API void *dif_ctx_user(const struct dif_ctx *ctx);
DIF_API void dif_ctx_set_user(struct dif_ctx *ctx, void *user);

/* Runs prog once. Returns 0 with *rval set, or DIF_E_FAULT with *rval = 0
 * and the fault in dif_ctx_fault(). Scratch is reset on entry. rval may be
 * NULL. DIF_E_INVAL: NULL, detached or another VM's program or context;
 * DIF_E_BUSY: the context is already running (nothing changed). */
DIF_API int dif_exec(const struct dif_prog *prog, struct dif_ctx *ctx,
                     uint64_t *rval);
DIF_API const struct dif_fault *dif_ctx_fault(const struct dif_ctx *ctx);

/* Tracing (for soundness tests and debuggers). dif_exec_traced runs prog
 * exactly as dif_exec does (same results, same faults) and calls fn
 * before every instruction it executes with the machine state at that
 * point. It is a separate copy of the interpreter loop, so dif_exec itself
 * does not change. The state is read-only and valid during the call. */
#define DIF_TRACE_CC_N 0x8u /* condition-code bits in dif_trace_state.cc */
#define DIF_TRACE_CC_Z 0x4u
#define DIF_TRACE_CC_V 0x2u
#define DIF_TRACE_CC_C 0x1u
struct dif_trace_state {
	uint32_t pc;              /* instruction about to execute */
	const uint64_t *regs;     /* DIF_NREGS registers */
	unsigned cc;              /* DIF_TRACE_CC_* */
	unsigned ttop;            /* tuple stack depth, 0..DIF_NTREGS */
	const uint64_t *tval;     /* tuple values [0, ttop) */
	const uint64_t *tsize;    /* tuple sizes (0 = by value) [0, ttop) */
	uint64_t scratch_used;    /* scratch bytes allocated so far */
	uint64_t scratch_size;    /* scratch bytes available in all */
	uint64_t scratch_base;    /* DIF address of the scratch area */
};
typedef void (*dif_trace_fn)(void *ud, const struct dif_trace_state *st);
/* dif_exec with fn called before each instruction (fn may be NULL). */
DIF_API int dif_exec_traced(const struct dif_prog *prog, struct dif_ctx *ctx,
                            uint64_t *rval, dif_trace_fn fn, void *ud);

/* Register i (0..7) as the last dif_exec left it (0 for i > 7). */
DIF_API uint64_t dif_ctx_reg(const struct dif_ctx *ctx, unsigned i);
/* Reads len bytes at a DIF address as the program would see them (VM
 * memory or host memory), e.g. to print a returned string. Returns 0 or a
 * fault code. The string table seen is that of the program the context
 * last ran, while that program lives. */
DIF_API int dif_ctx_read(struct dif_ctx *ctx, uint64_t addr, void *buf,
                         size_t len);

#ifdef __cplusplus
}
#endif

#endif
