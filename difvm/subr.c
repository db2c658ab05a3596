/*
 * CALL: every DIF subroutine (dif-isa.md sections 2.9 and 6). This file
 * takes the arguments from the tuple stack, makes DTrace's access checks
 * in DTrace's order, accounts scratch as docs/conventions.md says and
 * raises the faults; the algorithms are in subr_str.c, subr_net.c and
 * subr_json.c.
 *
 * Where DTrace writes no result (failed base check, copyout, bcopy,
 * copyinto, host-only subroutines) the destination register keeps its
 * value.
 */
#include <string.h>

#include "exec.h"
#include "subr_str.h"

#define AF_INET_NUM 2
#define AF_INET6_FREEBSD 28
#define AF_INET6_ILLUMOS 26
#define MEMSTR_MAX 4096u /* FreeBSD's dtrace_memstr_max */

static void set_rd(struct dif_run *run, unsigned rd, uint64_t v)
{
	if (rd != 0 && rd < DIF_NREGS)
		run->regs[rd] = v;
}

/* Argument i in push order. Like DTrace, a slot above the stack top
 * keeps what an earlier push of this execution left there (0 at first). */
static uint64_t arg(const struct dif_run *run, unsigned i)
{
	return i < DIF_NTREGS ? run->tval[i] : 0;
}

/* ---------------------------------------------------------------------
 * Byte sources over DIF memory.
 */

static int src_fetch(struct dif_src *s, size_t i)
{
	uint64_t base = i & ~(uint64_t)(sizeof(s->cbuf) - 1);
	if (s->cbase != base) {
		size_t n = s->len - (size_t)base;
		if (n > sizeof(s->cbuf))
			n = sizeof(s->cbuf);
		/* The range passed its checks; a host that fails now reads as
		 * zeros rather than faulting half-way through an algorithm. */
		if (dif_mem_read(s->ud, DIF_AS_KERNEL, s->addr + base, s->cbuf,
		                 n) != 0)
			memset(s->cbuf, 0, n);
		s->cbase = base;
	}
	return s->cbuf[i - base];
}

/* Host bytes of a registered kernel region holding [addr, addr+len). */
static const uint8_t *region_ptr(struct dif_run *run, uint64_t addr,
                                 uint64_t len)
{
	const struct dif_vm *vm = run->vm;
	const struct dif_region *r =
		vm ? dif_region_find(vm, DIF_AS_KERNEL, addr, len) : NULL;
	return r ? (const uint8_t *)r->bytes + (addr - r->addr) : NULL;
}

static void src_init(struct dif_src *s, struct dif_run *run, uint64_t addr,
                     uint64_t len)
{
	memset(s, 0, sizeof(*s));
	s->len = (size_t)len;
	s->addr = addr;
	s->ud = run;
	s->cbase = UINT64_MAX;
	s->get = src_fetch;
	if (len == 0)
		return;
	s->p = dif_vm_ptr(run, addr, len);
	if (!s->p)
		s->p = region_ptr(run, addr, len);
	/* A source in the free part of scratch may lie under the result the
	 * subroutine is about to write: read it as it was at the call, like
	 * the model (docs/conventions.md, Decisions 17). At most two strings
	 * of up to strsize bytes per call; keybuf (chunk bytes, more than
	 * 2 * (strsize + 1)) is idle during a subroutine. */
	if (s->p && run->nsnap < 2 && len <= run->strsize &&
	    addr + len > run->scratch_ptr && addr < run->scratch_limit) {
		uint8_t *snap = run->ctx->keybuf + run->nsnap++ * (run->strsize + 1ull);
		memcpy(snap, s->p, (size_t)len);
		s->p = snap;
	}
}

/* String argument: strcanload bounded by strsize, then a source. */
static bool str_arg(struct dif_run *run, uint64_t addr, struct dif_src *s)
{
	uint64_t len = 0;
	if (!dif_strcanload(run, addr, run->strsize, &len))
		return false;
	src_init(s, run, addr, len);
	return true;
}

/* strstr, index, rindex, substr, toupper, tolower, basename, dirname and
 * json measure their n string arguments first, with safe byte loads up to
 * strsize (BADADDR at an unmapped byte; a later fault's address replaces
 * an earlier one's), and only then check access on length + 1 (KPRIV at
 * the string's address; no silent failure) (emulator-facts.md 2). */
static bool measured_args(struct dif_run *run, unsigned n, struct dif_src *s)
{
	uint64_t len[2];
	for (unsigned k = 0; k < n; k++)
		len[k] = dif_strnlen(run, arg(run, k), run->strsize);
	if (run->fbits)
		return false;
	for (unsigned k = 0; k < n; k++)
		if (!dif_canload(run, arg(run, k), len[k] + 1))
			return false;
	for (unsigned k = 0; k < n; k++)
		src_init(&s[k], run, arg(run, k), len[k]);
	return true;
}

/* Copies n bytes at a DIF address into host memory (which may be
 * scratch, so VM memory is moved, not copied). Raises BADADDR. */
static bool read_bytes(struct dif_run *run, enum dif_as as, uint64_t addr,
                       uint8_t *dst, uint64_t n)
{
	if (n == 0)
		return true;
	if (as == DIF_AS_KERNEL) {
		uint8_t *p = dif_vm_ptr(run, addr, n);
		if (p) {
			memmove(dst, p, (size_t)n);
			return true;
		}
	}
	return dif_load(run, as, addr, dst, (size_t)n);
}

static bool scratch_fits(const struct dif_run *run, uint64_t size)
{
	return size <= run->scratch_limit - run->scratch_ptr;
}

/* read_bytes for the copy loops of bcopy, copyinto and memstr: a BADADDR
 * reports the first unreadable byte (a toxic range: its start), the
 * documented deviation from DTrace's last faulting address
 * (docs/conventions.md, Decisions 14). */
static bool copy_bytes(struct dif_run *run, enum dif_as as, uint64_t addr,
                       uint8_t *dst, uint64_t n)
{
	if (read_bytes(run, as, addr, dst, n))
		return true;
	if (run->fbits == DIF_FBIT(DIF_FAULT_BADADDR))
		run->illval = dif_load_bad(run, as, addr, (size_t)n);
	return false;
}

/* Allocated scratch [base, ptr): where bcopy and copyinto may write. */
static bool in_scratch(const struct dif_run *run, uint64_t dest,
                       uint64_t size)
{
	return dest >= run->scratch_base && dest + size >= dest &&
	       dest + size <= run->scratch_ptr;
}

/* DTrace's toxic-range check for copyout: BADADDR with the source when it
 * starts inside a toxic range, else with the range when the source covers
 * its start. */
static bool toxic(struct dif_run *run, uint64_t addr, uint64_t size)
{
	const struct dif_vm *vm = run->vm;
	/* The index answers "none" at once; the scan below (fault path
	 * only) picks the first range in the caller's order for illval. */
	if (vm && addr + size >= addr &&
	    !dif_toxic_overlap(vm, DIF_AS_KERNEL, addr, size))
		return false;
	for (size_t i = 0; vm && i < vm->nregions; i++) {
		const struct dif_region *r = &vm->regions[i];
		if (!(r->flags & DIF_REGION_TOXIC) || r->as != DIF_AS_KERNEL)
			continue;
		/* Unsigned differences: no wrap-around cases to special-case. */
		if (addr - r->addr < r->size || r->addr - addr < size) {
			dif_fault_why(run, DIF_FAULT_BADADDR,
			              addr - r->addr < r->size ? addr : r->addr,
			              "copyout source overlaps a toxic range");
			return true;
		}
	}
	return false;
}

/* DTrace's user copy routines check [uaddr, +size) against the top of
 * user space before they copy (emulator-facts.md 4): BADADDR at uaddr. */
static bool urange_ok(struct dif_run *run, uint64_t uaddr, uint64_t size)
{
	if (!dif_urange_bad(uaddr, size))
		return true;
	dif_fault_why(run, DIF_FAULT_BADADDR, uaddr,
	              "user range passes the top of user space");
	return false;
}

/* A string result buffer of `size` bytes at the scratch pointer, checked
 * but not yet taken (taken by commit). */
static uint8_t *scratch_peek(struct dif_run *run, uint64_t size)
{
	if (!scratch_fits(run, size)) {
		dif_fault(run, DIF_FAULT_NOSCRATCH, 0);
		return NULL;
	}
	return dif_scratch_host(run, run->scratch_ptr);
}

static uint64_t scratch_commit(struct dif_run *run, uint64_t size)
{
	return dif_scratch_buf(run, size, NULL);
}

/* ---------------------------------------------------------------------
 * Subroutines.
 */

typedef size_t (*path_fn)(struct dif_src *, char *, size_t);

static int lazy_miss(struct dif_src *s, size_t i)
{
	dif_fault(s->ud, s->missrc, s->addr + i);
	return 0;
}

/* A source over the string at addr up to its NUL (included) inside lim
 * bytes. When an unreadable byte comes first, the source ends before it
 * and reading it raises the fault: DTrace's loops read byte by byte and
 * fault only where they get to (Decision 30). */
static void lazy_src(struct dif_run *run, struct dif_src *s, uint64_t addr,
                     uint64_t lim)
{
	int rc;
	uint64_t n = lim ? dif_strnlen_rc(run, addr, lim, &rc) : 0;
	if (!lim)
		rc = 0;
	src_init(s, run, addr, !rc && n < lim ? n + 1 : n);
	if (rc) {
		s->miss = lazy_miss;
		s->missrc = rc;
	}
}

/* strlen, strchr, strrchr, strtok and cleanpath: DTrace's strcanload
 * (without kernel visibility it reads the first strsize bytes itself and
 * faults there) hands back a limit: strsize with kernel visibility, else
 * all that is left of the region, not cut to strsize (Decision 24). The
 * subroutine's loop reads up to it, lazily (lazy_src). */
static bool str_arg_lim(struct dif_run *run, uint64_t addr, struct dif_src *s,
                        uint64_t *lim)
{
	uint64_t rem = run->strsize, n;
	if (run->deny & DIF_DENY_KERNEL) {
		if (!dif_strcanload(run, addr, run->strsize, &n))
			return false;
		dif_canload_rem(run, addr, 0, &rem);
		*lim = rem;
		if (n < run->strsize) {
			/* the NUL is inside the checked bytes */
			src_init(s, run, addr, n + 1);
			return true;
		}
	}
	*lim = rem;
	lazy_src(run, s, addr, rem);
	return true;
}

/* After the measurement of toupper's, tolower's, substr's, basename's or
 * dirname's string faulted DTrace goes on (Decision 14): the measured
 * length is the faulting byte's offset, the access check on length + 1
 * passes with kernel visibility or when those bytes lie in a loadable
 * region, and with strsize bytes of scratch free the loops run on loads
 * that all read 0. toupper, tolower and substr store one NUL; basename
 * copies min(n, strsize - 1) zeros and a NUL (n the length, 1 when it is
 * 0: the string "."), dirname one zero and a NUL. The measurement's
 * fault stays the reported one. */
static void measured_fault_zeros(struct dif_run *run, int sid)
{
	unsigned fbits = run->fbits;
	uint64_t illval = run->illval, s = arg(run, 0), rem;
	if (fbits != DIF_FBIT(DIF_FAULT_BADADDR) || illval < s)
		return;
	uint64_t len = illval - s, n = 0;
	bool ok = !(run->deny & DIF_DENY_KERNEL) ||
	          dif_canload_rem(run, s, len + 1, &rem);
	run->fbits = fbits;
	run->illval = illval;
	if (!ok || !scratch_fits(run, run->strsize))
		return;
	if (sid == DIF_S_BASENAME)
		n = len ? len : 1;
	else if (sid == DIF_S_DIRNAME)
		n = 1;
	if (n > run->strsize - 1)
		n = run->strsize - 1;
	memset(dif_scratch_host(run, run->scratch_ptr), 0, (size_t)n + 1);
}

/* basename, dirname, cleanpath, toupper, tolower: one string in, one
 * strsize scratch string out. */
static void str_to_str(struct dif_run *run, unsigned rd, int sid)
{
	struct dif_src s;
	uint8_t *out;
	uint64_t buf;

	uint64_t lim;
	if (sid == DIF_S_CLEANPATH ? !str_arg_lim(run, arg(run, 0), &s, &lim)
	                           : !measured_args(run, 1, &s)) {
		if (sid != DIF_S_CLEANPATH)
			measured_fault_zeros(run, sid);
		set_rd(run, rd, 0);
		return;
	}
	buf = dif_scratch_buf(run, run->strsize, &out);
	if (!buf) {
		set_rd(run, rd, 0);
		return;
	}
	switch (sid) {
	case DIF_S_BASENAME:
		dif_s_basename(&s, (char *)out, run->strsize);
		break;
	case DIF_S_DIRNAME:
		dif_s_dirname(&s, (char *)out, run->strsize);
		break;
	case DIF_S_CLEANPATH:
		if (!s.miss) {
			dif_s_cleanpath(&s, (char *)out, run->strsize, NULL);
			break;
		}
		/* It may fault half-way (later reads give 0, so the loop
		 * ends): work aside, as the source may lie under the result
		 * (Decision 17), then leave every byte the loop wrote, the
		 * partial output of a fault too (Decision 31); the work area
		 * starts with the byte under the result (Decision 25). */
		uint8_t *work = run->ctx->keybuf + 2 * (run->strsize + 1ull);
		size_t hi;
		work[0] = out[0];
		dif_s_cleanpath(&s, (char *)work, run->strsize, &hi);
		memcpy(out, work, hi);
		if (run->fbits) {
			set_rd(run, rd, 0);
			return;
		}
		break;
	default:
		dif_s_case(&s, sid == DIF_S_TOUPPER, (char *)out, run->strsize);
		break;
	}
	set_rd(run, rd, buf);
}

static void do_copyin(struct dif_run *run, unsigned rd)
{
	uint64_t uaddr = arg(run, 0), size = arg(run, 1);
	uint64_t dest = dif_scratch_alloc(run, size, false);
	if (!dest) {
		set_rd(run, rd, 0);
		return;
	}
	uint8_t *out = dif_scratch_host(run, dest);
	if (!urange_ok(run, uaddr, size)) /* size 0 too */
		return;
	if (size && dif_mem_read(run, DIF_AS_USER, uaddr, out, (size_t)size)) {
		/* Page-fault semantics (dif-isa.md 4.1): illval is the first
		 * unreadable byte; find it byte by byte (fault path only). One
		 * forward move: the bytes before it are in place, the ones from
		 * it on keep their old values (Decision 31). */
		for (uint64_t k = 0; k < size; k++) {
			uint8_t c;
			int rc = dif_mem_read(run, DIF_AS_USER, uaddr + k, &c, 1);
			if (rc) {
				dif_fault(run, rc, uaddr + k);
				return;
			}
			out[k] = c;
		}
		/* readable byte by byte but not as a whole (a host reader
		 * that refuses spans): the start address */
		dif_fault(run, DIF_FAULT_BADADDR, uaddr);
		return;
	}
	set_rd(run, rd, dest);
}

/* The kernel's string copy routine after the load of byte i faulted
 * (Decision 14): the trap handler skips the load, so the byte register
 * keeps the last byte read and the loop stores it again; later readable
 * bytes load as usual; it ends at a stored NUL, at the count, or where
 * the count left is a multiple of 4096 (where it tests the flags). With
 * i = 0 the register is unknown: nothing is stored. Slow path. */
static void copystr_faulted(struct dif_run *run, uint64_t uaddr, uint8_t *out,
                            uint64_t i, uint64_t size)
{
	for (uint8_t al = i ? out[i - 1] : 0; i && i < size; i++) {
		uint8_t b;
		if (dif_mem_read(run, DIF_AS_USER, uaddr + i, &b, 1) == 0)
			al = b;
		out[i] = al;
		if (al == 0 || ((size - i - 1) & 0xfff) == 0)
			break;
	}
}

static void do_copyinstr(struct dif_run *run, unsigned rd)
{
	uint64_t uaddr = arg(run, 0), size = run->strsize;
	uint8_t *out;

	if (run->ttop > 1 && arg(run, 1) < size)
		size = arg(run, 1) + 1;
	uint64_t buf = dif_scratch_buf(run, size, &out);
	if (!buf) {
		set_rd(run, rd, 0);
		return;
	}
	if (!urange_ok(run, uaddr, size))
		return;
	/* Byte by byte up to the NUL or `size` bytes, like DTrace's copy
	 * loop: the string may end just before an unreadable page, and byte
	 * size - 1 is read (so it can fault) before the NUL replaces it. */
	for (uint64_t i = 0; i < size; i++) {
		if (!dif_load(run, DIF_AS_USER, uaddr + i, out + i, 1)) {
			copystr_faulted(run, uaddr, out, i, size);
			break;
		}
		if (out[i] == '\0')
			break;
	}
	out[size - 1] = '\0';
	set_rd(run, rd, buf);
}

/* The kernel's string copy routine from a kernel string that faulted to
 * user memory (Decision 14, as copystr_faulted): bytes before the fault,
 * then the last byte read again (the trap handler skips the faulting
 * load), later readable bytes as read, up to a stored NUL, lim, or a
 * count left that is a multiple of 4096 once the fault flag is up
 * (`flagged`: from the start when strcanload's read faulted). Nothing
 * when the first byte faults (its register is unknown). The host writer
 * gets them in pieces (Decision 29) up to the first it refuses; the
 * string's fault is the one reported. Slow path. */
static void copyoutstr_faulted(struct dif_run *run, uint64_t kaddr,
                               uint64_t uaddr, uint64_t lim, bool flagged)
{
	unsigned fbits = run->fbits;
	uint64_t illval = run->illval;
	const char *reason = run->reason;
	uint8_t piece[256], al = 0;
	size_t np = 0;
	uint64_t off = 0;

	for (uint64_t j = 0; run->vm->host.write && j < lim; j++) {
		uint8_t b;
		if (dif_mem_read(run, DIF_AS_KERNEL, kaddr + j, &b, 1) == 0)
			al = b;
		else if (j == 0)
			break;
		else
			flagged = true;
		piece[np++] = al;
		bool end = al == 0 || (flagged && ((lim - j - 1) & 0xfff) == 0);
		if (np == sizeof(piece) || end || j + 1 == lim) {
			if (!dif_user_write(run, uaddr + off, piece, np))
				break;
			off += np;
			np = 0;
		}
		if (end)
			break;
	}
	run->fbits = fbits;
	run->illval = illval;
	run->reason = reason;
}

static void do_copyout(struct dif_run *run, bool str)
{
	uint64_t kaddr = arg(run, 0), uaddr = arg(run, 1), size = arg(run, 2);
	uint64_t n = size;
	uint8_t chunk[256];

	if (run->deny & DIF_DENY_DESTRUCTIVE)
		return; /* DTrace skips it silently when disallowed */
	if (run->deny & DIF_DENY_OWNER) {
		dif_fault_why(run, DIF_FAULT_UPRIV, 0,
		              "copyout needs proc-control privilege");
		return;
	}
	if (toxic(run, kaddr, size))
		return;
	if (str) {
		uint64_t len = 0, lim = size;
		/* Without kernel visibility strcanload reads the string and
		 * the user range is [uaddr, +rest of its region); with it,
		 * [uaddr, +size) is checked before the string is read
		 * (emulator-facts.md 4). A fault in strcanload's read does
		 * not stop DTrace (the faulting load read a NUL): the user
		 * range check follows, and its fault replaces the address. */
		if (run->deny & DIF_DENY_KERNEL) {
			if (!dif_strcanload(run, kaddr, size, &len) &&
			    run->fbits != DIF_FBIT(DIF_FAULT_BADADDR))
				return;
			if (!dif_canload_rem(run, kaddr, 0, &lim))
				return;
			if (!urange_ok(run, uaddr, lim))
				return;
			if (run->fbits) {
				copyoutstr_faulted(run, kaddr, uaddr, lim, true);
				return;
			}
			/* the copy runs over strcanload's limit, the rest of
			 * the region, not size: a longer string is copied on
			 * to its NUL, and meets any toxic byte on the way */
			int rc;
			len = dif_strnlen_rc(run, kaddr, lim, &rc);
			if (rc) {
				dif_fault(run, DIF_FAULT_BADADDR, kaddr + len);
				copyoutstr_faulted(run, kaddr, uaddr, lim, false);
				return;
			}
			size = lim;
		} else {
			if (!urange_ok(run, uaddr, size))
				return;
			len = dif_strnlen(run, kaddr, size);
			if (run->fbits) {
				copyoutstr_faulted(run, kaddr, uaddr, size, false);
				return;
			}
		}
		n = len < size ? len + 1 : size;
	} else {
		if (!dif_canload(run, kaddr, size) || !urange_ok(run, uaddr, size))
			return;
		/* The source is read as it is copied: an unreadable source
		 * faults before anything is written (emulator-facts.md 4). */
		for (uint64_t off = 0; off < n; off += sizeof(chunk)) {
			size_t k = n - off < sizeof(chunk) ? (size_t)(n - off)
			                                   : sizeof(chunk);
			if (dif_mem_read(run, DIF_AS_KERNEL, kaddr + off, chunk, k)) {
				dif_fault(run, DIF_FAULT_BADADDR,
				          dif_load_bad(run, DIF_AS_KERNEL, kaddr + off, k));
				return;
			}
		}
	}
	/* Without a host writer there is no user memory: the user address
	 * fails first, as DTrace checks it before reading (and even for 0
	 * bytes). */
	if (!run->vm->host.write) {
		dif_user_write(run, uaddr, chunk, 0);
		return;
	}
	uint64_t off = 0;
	do {
		size_t k = n - off < sizeof(chunk) ? (size_t)(n - off)
		                                   : sizeof(chunk);
		if (!read_bytes(run, DIF_AS_KERNEL, kaddr + off, chunk, k))
			return;
		if (!dif_user_write(run, uaddr + off, chunk, k))
			return;
		off += k;
	} while (off < n);
}

static void do_bcopy(struct dif_run *run, unsigned rd)
{
	uint64_t src = arg(run, 0), dest = arg(run, 1), size = arg(run, 2);

	if (!in_scratch(run, dest, size)) {
		/* illval is the old rd, as in DTrace (dif-isa.md 4.1, 11.12) */
		dif_fault_why(run, DIF_FAULT_BADADDR, rd < DIF_NREGS ? run->regs[rd] : 0,
		              "bcopy destination outside allocated scratch");
		return;
	}
	if (!dif_canload(run, src, size)) {
		set_rd(run, rd, 0);
		return;
	}
	uint8_t *out = dif_scratch_host(run, dest);
	/* the kernel's loop stores every byte, 0 from the fault on */
	if (!copy_bytes(run, DIF_AS_KERNEL, src, out, size))
		dif_copy_faulted(run, src, dest, out, size);
}

static void do_copyinto(struct dif_run *run, unsigned rd)
{
	uint64_t uaddr = arg(run, 0), size = arg(run, 1), dest = arg(run, 2);

	if (!in_scratch(run, dest, size)) {
		/* illval is the old rd, as in DTrace (dif-isa.md 4.1, 11.12) */
		dif_fault_why(run, DIF_FAULT_BADADDR, rd < DIF_NREGS ? run->regs[rd] : 0,
		              "copyinto destination outside allocated scratch");
		return;
	}
	if (!urange_ok(run, uaddr, size))
		return;
	uint8_t *out = dif_scratch_host(run, dest);
	/* not copy_bytes: a refused read must not clear the destination */
	int rc = size ? dif_mem_read(run, DIF_AS_USER, uaddr, out, (size_t)size) : 0;
	if (rc == 0)
		return;
	dif_fault(run, rc, uaddr);
	if (rc != DIF_FAULT_BADADDR)
		return;
	/* One forward move that stops at the first unreadable byte: the
	 * bytes before it are in place, the ones from it on keep their old
	 * values (Decision 31; fault path only). */
	uint64_t ill = run->illval = dif_load_bad(run, DIF_AS_USER, uaddr, (size_t)size);
	for (uint64_t k = 0; uaddr + k < ill; k++) {
		uint8_t c;
		if (dif_mem_read(run, DIF_AS_USER, uaddr + k, &c, 1))
			break;
		out[k] = c;
	}
}

/* strjoin (emulator-facts.md 1). With kernel visibility the access
 * checks read nothing: strsize bytes of scratch are checked first, then a
 * and b are read while the result stays below strsize (NOSCRATCH past it;
 * BADADDR at the first unreadable byte, the documented deviation of
 * emulator-facts.md 4). Without it both strings pass strcanload before the
 * scratch check. The pointer advances by the joined length + 1. */
/* Without kernel visibility a fault in strcanload's read of a or b does
 * not stop DTrace's strjoin (the faulting load read a NUL): b's region is
 * still checked (when a faulted), the scratch check passes with strsize
 * bytes free, and both copy loops load 0: one NUL at the scratch pointer
 * (Decision 14). The first fault stays the reported one. */
static void join_fault_nul(struct dif_run *run, uint64_t b, bool check_b)
{
	unsigned fbits = run->fbits;
	uint64_t illval = run->illval, rem;
	if (fbits != DIF_FBIT(DIF_FAULT_BADADDR))
		return;
	bool ok = !check_b || dif_canload_rem(run, b, 0, &rem);
	run->fbits = fbits;
	run->illval = illval;
	if (ok && scratch_fits(run, run->strsize))
		*dif_scratch_host(run, run->scratch_ptr) = 0;
}

static void do_strjoin(struct dif_run *run, unsigned rd)
{
	uint64_t size = run->strsize, a = arg(run, 0), b = arg(run, 1);
	uint64_t la, lb, keep = rd < DIF_NREGS ? run->regs[rd] : 0, fat = 0;
	uint8_t *out;
	int frc = 0;

	set_rd(run, rd, 0);
	if (run->deny & DIF_DENY_KERNEL) {
		struct dif_src sa, sb;
		if (!str_arg(run, a, &sa)) {
			join_fault_nul(run, b, true);
			return;
		}
		if (!str_arg(run, b, &sb)) {
			join_fault_nul(run, b, false);
			return;
		}
		if (!(out = scratch_peek(run, size)))
			return;
		la = sa.len;
		lb = sb.len;
		if (la + lb + 1 > size)
			goto toolong;
	} else {
		if (!(out = scratch_peek(run, size)))
			return;
		/* a fault ends a loop: what it read so far is copied, then
		 * a NUL (the kernel's loads read 0 from the fault on) */
		lb = 0;
		la = dif_strnlen_rc(run, a, size, &frc);
		if (frc)
			fat = a + la;
		else if (la == size)
			goto toolong;
		else if ((lb = dif_strnlen_rc(run, b, size - la, &frc)), frc)
			fat = b + lb;
		else if (la + lb == size)
			goto toolong;
	}

	/* b in the free part of scratch may lie under a's copy: take it as
	 * it was at the call (docs/conventions.md, Decisions 17). */
	uint8_t *snap = NULL;
	if (lb && b + lb > run->scratch_ptr && b < run->scratch_limit) {
		snap = run->ctx->keybuf; /* chunk bytes > strsize, idle here */
		if (!read_bytes(run, DIF_AS_KERNEL, b, snap, lb))
			return;
	}
	if (!read_bytes(run, DIF_AS_KERNEL, a, out, la))
		return;
	if (snap)
		memcpy(out + la, snap, (size_t)lb);
	else if (!read_bytes(run, DIF_AS_KERNEL, b, out + la, lb))
		return;
	out[la + lb] = '\0';
	if (frc) {
		dif_fault(run, frc, fat);
		return;
	}
	if (la + lb + 1 == size) {
		/* DTrace keeps the result only when fewer than strsize bytes
		 * were written: R[rd] keeps its value and the pointer stays
		 * (docs/conventions.md, Decisions 23) */
		set_rd(run, rd, keep);
		return;
	}
	set_rd(run, rd, scratch_commit(run, la + lb + 1));
	return;
toolong:
	dif_fault_why(run, DIF_FAULT_NOSCRATCH, 0,
	              "strjoin result longer than strsize");
}

static void do_lltostr(struct dif_run *run, unsigned rd)
{
	unsigned base = 10;
	uint8_t *out;

	if (run->ttop > 1 && !dif_s_base_ok(arg(run, 1), &base)) {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0,
		              "lltostr base not in 2..36");
		return;
	}
	uint64_t buf = dif_scratch_buf(run, DIF_LLTOSTR_SIZE, &out);
	if (!buf) {
		set_rd(run, rd, 0);
		return;
	}
	size_t at = dif_s_lltostr((int64_t)arg(run, 0), base, (char *)out);
	set_rd(run, rd, buf + at);
}

/* Byte i of a string read on demand with fault checks: an unreadable
 * byte faults BADADDR there (once) and reads as 0, which ends any parse. */
static int parse_fetch(struct dif_src *s, size_t i)
{
	struct dif_run *run = s->ud;
	uint8_t c;
	if (run->fbits || dif_mem_read(run, DIF_AS_KERNEL, s->addr + i, &c, 1)) {
		if (!run->fbits)
			dif_fault(run, DIF_FAULT_BADADDR, s->addr + i);
		return 0;
	}
	return c;
}

static void do_strtoll(struct dif_run *run, unsigned rd)
{
	unsigned base = 10;
	struct dif_src s;

	if (run->ttop > 1 && !dif_s_base_ok(arg(run, 1), &base)) {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0,
		              "strtoll base not in 2..36");
		return;
	}
	/* With kernel visibility the access check reads nothing. The parse
	 * reads only what it parses and faults at an unreadable byte among
	 * them (emulator-facts.md 4); only its digits are bounded, by
	 * strcanload's limit (Decision 26). */
	uint64_t lim = run->strsize;
	if (run->deny & DIF_DENY_KERNEL) {
		if (!str_arg(run, arg(run, 0), &s)) {
			set_rd(run, rd, (uint64_t)INT64_MIN);
			return;
		}
		dif_canload_rem(run, arg(run, 0), 0, &lim);
	}
	memset(&s, 0, sizeof(s));
	s.len = SIZE_MAX;
	s.addr = arg(run, 0);
	s.ud = run;
	s.get = parse_fetch;
	int64_t v = dif_s_strtoll(&s, base, (size_t)lim);
	set_rd(run, rd, run->fbits ? 0 : (uint64_t)v);
}

static void do_strchr(struct dif_run *run, unsigned rd, bool last)
{
	uint64_t addr = arg(run, 0);
	struct dif_src s;

	uint64_t lim;
	if (!str_arg_lim(run, addr, &s, &lim)) {
		set_rd(run, rd, 0);
		return;
	}
	/* a source that ends at an unreadable byte reads it too */
	size_t at = dif_s_strchr(&s, s.miss != NULL, (uint8_t)arg(run, 1), last);
	set_rd(run, rd, run->fbits || at == DIF_S_NONE ? 0 : addr + at);
}

static void do_search(struct dif_run *run, unsigned rd, int sid)
{
	uint64_t addr = arg(run, 0);
	struct dif_src ss[2], *s = &ss[0], *sub = &ss[1];

	if (!measured_args(run, 2, ss)) {
		set_rd(run, rd, 0);
		return;
	}
	/* A compare past a NUL-less s's strsize bytes reads memory on and
	 * faults at the first unmapped byte (Decision 27). */
	struct dif_src past;
	memset(&past, 0, sizeof(past));
	past.len = SIZE_MAX;
	past.addr = addr;
	past.ud = run;
	past.get = parse_fetch;
	uint64_t r;
	if (sid == DIF_S_STRSTR) {
		size_t at = dif_s_strstr(s, &past, sub);
		r = at == DIF_S_NONE ? 0 : addr + at;
	} else {
		r = (uint64_t)dif_s_index(s, &past, sub, run->ttop == 3,
		                          (int64_t)arg(run, 2),
		                          sid == DIF_S_RINDEX);
	}
	set_rd(run, rd, run->fbits ? 0 : r);
}

static bool unreadable_byte(struct dif_run *run, uint64_t a)
{
	uint8_t c;
	return dif_mem_read(run, DIF_AS_KERNEL, a, &c, 1) != 0;
}

/* Without kernel visibility the delimiters' own check read faulted, and
 * DTrace goes on: its scratch check, s's check (a KPRIV, or s's first
 * unreadable byte), then the delimiter scan and the skip read one byte
 * each (as 0). Every later fault replaces the illegal address; the code
 * stays BADADDR (Decision 30). Fault path only. */
static void tok_after_fault(struct dif_run *run, uint64_t addr)
{
	uint64_t ill = run->illval, lim = 0;
	if (!scratch_fits(run, run->strsize))
		return;
	if (addr != 0) {
		run->fbits = 0;
		bool ok = dif_strcanload(run, addr, run->strsize, NULL);
		unsigned fb = run->fbits;
		if (fb)
			ill = run->illval; /* s on KPRIV, else its bad byte */
		run->fbits = DIF_FBIT(DIF_FAULT_BADADDR);
		run->illval = ill;
		if ((!ok && !fb) || (fb & DIF_FBIT(DIF_FAULT_KPRIV)))
			return;
		dif_canload_rem(run, addr, 0, &lim);
	} else {
		addr = run->strtok_next;
		lim = addr != 0 && run->strtok_limit > addr ?
		      run->strtok_limit - addr : 0;
	}
	if (unreadable_byte(run, arg(run, 1)))
		ill = arg(run, 1);
	if (lim && unreadable_byte(run, addr))
		ill = addr;
	run->illval = ill;
}

static void do_strtok(struct dif_run *run, unsigned rd)
{
	uint64_t addr = arg(run, 0), lim, dlim;
	struct dif_src s, delim;
	size_t next = 0;
	uint8_t *out;

	/* With kernel visibility the delimiter check reads nothing, so the
	 * scratch check comes first (emulator-facts.md 1). */
	if (!(run->deny & DIF_DENY_KERNEL) &&
	    !scratch_peek(run, run->strsize)) {
		set_rd(run, rd, 0);
		return;
	}
	if (!str_arg_lim(run, arg(run, 1), &delim, &dlim)) {
		if (run->fbits == DIF_FBIT(DIF_FAULT_BADADDR))
			tok_after_fault(run, addr);
		set_rd(run, rd, 0);
		return;
	}
	out = scratch_peek(run, run->strsize);
	if (!out) {
		set_rd(run, rd, 0);
		return;
	}
	if (addr == 0) {
		/* Continue where the previous call stopped (same execution);
		 * with nothing saved the range is empty. */
		addr = run->strtok_next;
		lim = addr != 0 && run->strtok_limit > addr ?
		      run->strtok_limit - addr : 0;
		lazy_src(run, &s, addr, lim);
	} else if (!str_arg_lim(run, addr, &s, &lim)) {
		set_rd(run, rd, 0);
		return;
	}
	if (delim.miss) {
		/* The delimiter scan reads no NUL before an unreadable byte:
		 * it faults there; the skip then reads one byte of s (as 0),
		 * which faults again when it is unreadable (Decision 30). */
		(void)dif_src_at(&delim, delim.len);
		if (lim)
			(void)dif_src_at(&s, 0);
		set_rd(run, rd, 0);
		return;
	}
	/* The skip or the copy may fault half-way: then the token is built
	 * aside (the source may lie under the result, Decision 17); a fault
	 * in the copy leaves what it copied and the NUL (Decision 31). */
	char *tok = s.miss ? (char *)run->ctx->keybuf + 2 * (run->strsize + 1ull)
	                   : (char *)out;
	bool got = dif_s_strtok(&s, 0, (size_t)lim, &delim, tok, run->strsize,
	                        &next);
	if (got && tok != (char *)out)
		memcpy(out, tok, strlen(tok) + 1);
	if (run->fbits) {
		set_rd(run, rd, 0);
		return;
	}
	if (!got) {
		run->strtok_next = 0;
		set_rd(run, rd, 0);
		return;
	}
	run->strtok_next = addr + next;
	run->strtok_limit = addr + lim;
	set_rd(run, rd, scratch_commit(run, run->strsize));
}

static void do_substr(struct dif_run *run, unsigned rd)
{
	struct dif_src s;
	uint8_t *out;

	if (!measured_args(run, 1, &s)) {
		measured_fault_zeros(run, DIF_S_SUBSTR);
		set_rd(run, rd, 0);
		return;
	}
	uint64_t buf = dif_scratch_buf(run, run->strsize, &out);
	if (!buf) {
		set_rd(run, rd, 0);
		return;
	}
	/* up to strsize bytes and the NUL after them (one past the buffer,
	 * as in DTrace; scratch has a spare byte at its end for it) */
	dif_s_substr(&s, (int64_t)arg(run, 1), run->ttop > 2,
	             (int64_t)arg(run, 2), run->strsize, (char *)out,
	             run->strsize + 1ull);
	set_rd(run, rd, buf);
}

static void do_inet(struct dif_run *run, unsigned rd, int sid)
{
	int af6 = run->profile == DIF_PROFILE_ILLUMOS ? AF_INET6_ILLUMOS
	                                                : AF_INET6_FREEBSD;
	uint64_t addr;
	int af;
	uint8_t *out;

	if (sid == DIF_S_INET_NTOP) {
		af = (int32_t)(uint32_t)arg(run, 0);
		addr = arg(run, 1);
	} else {
		af = sid == DIF_S_INET_NTOA ? AF_INET_NUM : af6;
		addr = arg(run, 0);
	}
	size_t alen, bufsize;
	if (af == AF_INET_NUM) {
		alen = 4;
		bufsize = DIF_INET4_SIZE;
	} else if (af == af6) {
		alen = 16;
		bufsize = DIF_INET6_SIZE;
	} else {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0,
		              "inet_ntop address family not AF_INET/AF_INET6");
		set_rd(run, rd, 0);
		return;
	}
	uint8_t a[16];
	if (!dif_canload(run, addr, alen)) {
		set_rd(run, rd, 0);
		return;
	}
	if (!read_bytes(run, DIF_AS_KERNEL, addr, a, alen)) {
		/* DTrace formats what its loads read: IPv4 is one load (0 on
		 * a fault), IPv6 a bcopy to a stack buffer above the source
		 * (backwards, 0 from the highest unreadable byte down); the
		 * text goes to scratch when the buffer fits (Decision 14) */
		if (alen == 4)
			memset(a, 0, 4);
		else
			dif_copy_faulted(run, addr, UINT64_MAX, a, 16);
		set_rd(run, rd, 0);
		if (!scratch_fits(run, bufsize))
			return;
		out = dif_scratch_host(run, run->scratch_ptr);
		if (alen == 4)
			(void)dif_s_inet4(a, (char *)out);
		else
			(void)dif_s_inet6(a, sid == DIF_S_INET_NTOP, (char *)out);
		return;
	}
	uint64_t buf = dif_scratch_buf(run, bufsize, &out);
	if (!buf) {
		set_rd(run, rd, 0);
		return;
	}
	size_t at = alen == 4 ? dif_s_inet4(a, (char *)out)
	                      : dif_s_inet6(a, sid == DIF_S_INET_NTOP, (char *)out);
	set_rd(run, rd, buf + at);
}

static void do_memref(struct dif_run *run, unsigned rd)
{
	/* Like alloca(16); unlike DTrace, never stores past scratch. */
	uint64_t p = dif_scratch_alloc(run, 16, false);
	if (!p) {
		set_rd(run, rd, 0);
		return;
	}
	uint64_t v[2] = { arg(run, 0), arg(run, 1) };
	memcpy(dif_scratch_host(run, p), v, sizeof(v));
	set_rd(run, rd, p);
}

static void do_memstr(struct dif_run *run, unsigned rd)
{
	uint64_t addr = arg(run, 0), size = arg(run, 2);
	uint8_t c = (uint8_t)arg(run, 1), *out;

	set_rd(run, rd, 0);
	if (size == 0 || !dif_canload(run, addr, size - 1))
		return;
	out = scratch_peek(run, size);
	if (!out)
		return;
	if (size > MEMSTR_MAX) {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0, "memstr size above 4096");
		return;
	}
	bool ok = copy_bytes(run, DIF_AS_KERNEL, addr, out, size - 1);
	/* after a fault the kernel's loop goes on reading 0s (stored as c):
	 * the bytes before the fault, then c up to the NUL (Decision 14) */
	if (!ok)
		dif_copy_faulted(run, addr, 0, out, size - 1);
	for (uint64_t i = 0; i + 1 < size; i++)
		if (out[i] == '\0')
			out[i] = c;
	out[size - 1] = '\0';
	if (ok)
		set_rd(run, rd, scratch_commit(run, size));
}

/* json after its measurement faulted (Decision 14): the text's length
 * is its faulting byte's offset and the selector then measures 0, else
 * the selector's length is its faulting byte's offset; when both access
 * checks pass and both fit in scratch, the selector loop stores its
 * zeros and a NUL after the text's bytes (the scanner reads 0 first and
 * stores nothing). The measurement's fault stays the reported one. */
static void json_fault_zeros(struct dif_run *run)
{
	unsigned fbits = run->fbits;
	uint64_t illval = run->illval, rem, jl, sl = 0;
	int rc;
	if (fbits != DIF_FBIT(DIF_FAULT_BADADDR))
		return;
	jl = dif_strnlen_rc(run, arg(run, 0), run->strsize, &rc);
	if (!rc)
		sl = dif_strnlen_rc(run, arg(run, 1), run->strsize, &rc);
	bool ok = !(run->deny & DIF_DENY_KERNEL) ||
	          (dif_canload_rem(run, arg(run, 0), jl + 1, &rem) &&
	           dif_canload_rem(run, arg(run, 1), sl + 1, &rem));
	run->fbits = fbits;
	run->illval = illval;
	if (ok && scratch_fits(run, jl + sl + 2))
		memset(dif_scratch_host(run, run->scratch_ptr) + jl + 1, 0,
		       (size_t)sl + 1);
}

static void do_json(struct dif_run *run, unsigned rd)
{
	struct dif_src a[2];
	uint8_t *out;

	if (!measured_args(run, 2, a)) {
		json_fault_zeros(run);
		set_rd(run, rd, 0);
		return;
	}
	/* Room to copy both strings (emulator-facts.md 1): the scanner works
	 * in the text's jsonlen + 1 bytes at the pointer, the selector's
	 * element list follows them. Both stay in scratch whatever the
	 * outcome; the pointer advances by jsonlen + 1 only when the value
	 * is found (docs/conventions.md, Decision 31). The two strings are
	 * read as they were at the call (Decision 17). */
	out = scratch_peek(run, (uint64_t)a[0].len + 1 + a[1].len + 1);
	if (!out) {
		set_rd(run, rd, 0);
		return;
	}
	char *elems = (char *)out + a[0].len + 1;
	unsigned n = dif_s_json_elems(&a[1], elems);
	if (!dif_s_json(&a[0], elems, n, run->strsize,
	                run->profile == DIF_PROFILE_ILLUMOS, (char *)out,
	                a[0].len + 1)) {
		set_rd(run, rd, 0);
		return;
	}
	set_rd(run, rd, scratch_commit(run, (uint64_t)a[0].len + 1));
}

static void need_host(struct dif_run *run)
{
	dif_fault_why(run, DIF_FAULT_ILLOP, 0,
	              "subroutine needs a host callback (dif_host.subr)");
}

void dif_subr_call(struct dif_run *run, int sid, unsigned rd)
{
	run->nsnap = 0;
	switch (sid) {
	case DIF_S_RAND:
		set_rd(run, rd, dif_rand_next(run));
		break;
	case DIF_S_COPYIN:
		do_copyin(run, rd);
		break;
	case DIF_S_COPYINSTR:
		do_copyinstr(run, rd);
		break;
	case DIF_S_STRLEN: {
		uint64_t len = 0, lim;
		struct dif_src s;
		if (str_arg_lim(run, arg(run, 0), &s, &lim)) {
			/* the loop reads to the NUL: an unreadable byte first
			 * faults */
			if (s.miss)
				(void)dif_src_at(&s, s.len);
			else if (s.len && dif_src_at(&s, s.len - 1) == 0)
				len = s.len - 1; /* the source holds the NUL */
			else
				len = s.len;
		}
		set_rd(run, rd, run->fbits ? 0 : len);
		break;
	}
	case DIF_S_COPYOUT:
		do_copyout(run, false);
		break;
	case DIF_S_COPYOUTSTR:
		do_copyout(run, true);
		break;
	case DIF_S_ALLOCA:
		set_rd(run, rd, dif_scratch_alloc(run, arg(run, 0), false));
		break;
	case DIF_S_BCOPY:
		do_bcopy(run, rd);
		break;
	case DIF_S_COPYINTO:
		do_copyinto(run, rd);
		break;
	case DIF_S_STRJOIN:
		do_strjoin(run, rd);
		break;
	case DIF_S_LLTOSTR:
		do_lltostr(run, rd);
		break;
	case DIF_S_BASENAME:
	case DIF_S_DIRNAME:
	case DIF_S_CLEANPATH:
	case DIF_S_TOUPPER:
	case DIF_S_TOLOWER:
		str_to_str(run, rd, sid);
		break;
	case DIF_S_STRCHR:
	case DIF_S_STRRCHR:
		do_strchr(run, rd, sid == DIF_S_STRRCHR);
		break;
	case DIF_S_STRSTR:
	case DIF_S_INDEX:
	case DIF_S_RINDEX:
		do_search(run, rd, sid);
		break;
	case DIF_S_STRTOK:
		do_strtok(run, rd);
		break;
	case DIF_S_SUBSTR:
		do_substr(run, rd);
		break;
	case DIF_S_HTONS:
	case DIF_S_NTOHS:
		set_rd(run, rd, dif_s_bswap16(arg(run, 0)));
		break;
	case DIF_S_HTONL:
	case DIF_S_NTOHL:
		set_rd(run, rd, dif_s_bswap32(arg(run, 0)));
		break;
	case DIF_S_HTONLL:
	case DIF_S_NTOHLL:
		set_rd(run, rd, dif_s_bswap64(arg(run, 0)));
		break;
	case DIF_S_INET_NTOP:
	case DIF_S_INET_NTOA:
	case DIF_S_INET_NTOA6:
		do_inet(run, rd, sid);
		break;
	case DIF_S_MEMREF:
		do_memref(run, rd);
		break;
	case DIF_S_MEMSTR:
		do_memstr(run, rd);
		break;
	case DIF_S_JSON:
		do_json(run, rd);
		break;
	case DIF_S_STRTOLL:
		do_strtoll(run, rd);
		break;
	case DIF_S_GETMAJOR:
	case DIF_S_GETMINOR:
		/* illumos: plain arithmetic on a 64-bit dev_t (dif-isa.md 6) */
		if (run->profile == DIF_PROFILE_ILLUMOS) {
			uint64_t dev = arg(run, 0);
			set_rd(run, rd, sid == DIF_S_GETMAJOR
			                    ? (dev >> 32) & 0xffffffffu
			                    : dev & 0xffffffffu);
		}
		/* FreeBSD does not implement them: nothing happens */
		break;
	case DIF_S_MUTEX_OWNED:
		/* DTrace checks the mutex with canload before it asks the
		 * operating system: a failure is R[rd] = 0 and KPRIV
		 * (dif-isa.md 6). */
		if (!dif_canload(run, arg(run, 0), DIF_MUTEX_SIZE)) {
			set_rd(run, rd, 0);
			break;
		}
		need_host(run);
		break;
	case DIF_S_MSGDSIZE:
	case DIF_S_MSGSIZE:
	case DIF_S_DDI_PATHNAME:
		/* Valid numbers FreeBSD's kernel does not implement: nothing
		 * happens, rd keeps its value (dif-isa.md 2.9). */
		if (run->profile == DIF_PROFILE_FREEBSD)
			break;
		/* FALLTHROUGH */
	default:
		/* mutex_*, rw_*, sx_*, speculation, progenyof, getf and the
		 * illumos ones above: only the operating system can answer. */
		need_host(run);
		break;
	}
}
