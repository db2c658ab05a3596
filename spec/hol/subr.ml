(* ========================================================================= *)
(* Subroutines (CALL, dif-isa.md 6 and 2.9): the cases of spec/cases.c       *)
(* (subr_table.inc) for the subroutines that take and return plain values   *)
(* (no string building). Loaded by cases.ml after the instruction rows and  *)
(* before the guard and effect constants are generated, so each subroutine  *)
(* becomes an instruction of the table (dif_s_<name>) that dif_s_call       *)
(* selects by its number on the profile.                                   *)
(*                                                                           *)
(* Arguments are the tuple registers in push order (targ s k). A call does  *)
(* not check how many were pushed: an argument beyond the top reads the     *)
(* register's stale value (zero when nothing was pushed there in this run). *)
(* ========================================================================= *)

let dif_subr_defs = ref ([] : thm list);;
let sdef tm = let th = ddef tm in (dif_subr_defs := th :: !dif_subr_defs; th);;
let sdefine tm =
  let th = define tm in (incr dif_ndefs; dif_subr_defs := th :: !dif_subr_defs; th);;
let sprim rth tm =
  let th = dprim rth tm in (dif_subr_defs := th :: !dif_subr_defs; th);;

let targ = sdef
  `targ s k = FST (nth_or (word 0, word 0) k (s_tslots s)):int64`;;

(* the host's byte order: the C model takes it from the machine it runs on;
   the theory states the little-endian host (x86-64, arm64), and the
   runtime refuses byte-order questions on a big-endian machine *)
let dif_host_be = sdef `dif_host_be <=> F`;;

(* user space is [0, 2^47) (docs/conventions.md 1, spec/case.h) *)
let dif_user_top = sdef `dif_user_top = 140737488355328`;;
(* the user range check of copies: [a, +n) wraps or passes the top *)
let ubad = sdef
  `ubad (a:int64) (n:int64) <=>
     2 EXP 64 <= val a + val n \/ dif_user_top < val a + val n`;;

(* scratch allocation of n bytes at the 8-aligned pointer (conventions.md 2):
   it fails when padding + n wraps or exceeds the scratch left *)
let salloc_no = sdef
  `salloc_no s (n:int64) <=>
     2 EXP 64 <= apad s + val n \/ s_ssize s - s_sptr s < apad s + val n`;;
let salloc_at = sdef `salloc_at s = word (dif_va_scratch + rup8 (s_sptr s)):int64`;;
(* the pointer advanced past the allocation in s, set in state t *)
let salloc_take = sdef
  `salloc_take s (n:int64) t = s_set_sptr (s_sptr s + apad s + val n) t`;;

(* [d, +n) lies inside the allocated part of scratch [base, pointer) *)
let inscr = sdef
  `inscr s (d:int64) (n:int64) <=>
     dif_va_scratch <= val d /\ val d + val n < 2 EXP 64 /\
     val d + val n <= dif_va_scratch + s_sptr s`;;

(* the first unreadable byte of [a, +n) tried byte by byte, else d *)
let fbyte = sdefine
  `fbyte s sp (a:int64) n (d:int64) =
     if n = 0 then d
     else if ~readable s sp a 1 then a
     else fbyte s sp (word_add a (word 1)) (n - 1) d`;;

(* n bytes from a in space sp, each read alone (a safe byte load) *)
let sbytes = sdefine
  `sbytes s sp (a:int64) n =
     if n = 0 then [] else CONS (mem_byte s sp a) (sbytes s sp (word_add a (word 1)) (n - 1))`;;
let rbytes = sdef `rbytes s (a:int64) n = sbytes s 0 a n`;;
(* copyin and copyinto are one forward string move that stops at the
   first unreadable user byte: the bytes before it stay in the buffer
   (docs/conventions.md Decision 31). copyin's: up to the first byte that
   does not read alone (all n when each does, none when the first does
   not); copyinto's: up to its fault address (its whole-range check: a
   toxic range in the span faults at the start, nothing written) *)
let cin_bytes = sdef
  `cin_bytes s (a:int64) n =
     let b = fbyte s 1 a n a in
     if ~(b = a) then sbytes s 1 a (val (word_sub b a))
     else if readable s 1 a 1 then sbytes s 1 a n else []`;;
let cinto_bytes = sdef
  `cinto_bytes s (a:int64) n = sbytes s 1 a (val (word_sub (bad_at s 1 a n) a))`;;

(* dtrace_bcopy's loop after a fault (docs/conventions.md Decision 14):
   byte by byte in copy order, forwards when the destination is at or
   below the source, else backwards; the faulting byte and every byte
   after it in that order are stored as 0. rdfwd and rdbwd count the bytes
   read before the first unreadable one from each end. *)
let rdfwd = sdefine
  `rdfwd s (a:int64) n =
     if n = 0 then 0 else if ~readable s 0 a 1 then 0
     else rdfwd s (word_add a (word 1)) (n - 1) + 1`;;
let rdbwd = sdefine
  `rdbwd s (a:int64) n =
     if n = 0 then 0 else if ~readable s 0 (word_add a (word (n - 1))) 1 then 0
     else rdbwd s a (n - 1) + 1`;;
let zcopy = sdef
  `zcopy (d:int64) (a:int64) n s =
     if val d <= val a then
       let k = rdfwd s a n in
       mem_zero (word_add d (word k)) (n - k) (mem_write d (rbytes s a k) s)
     else
       let k = rdbwd s a n in
       mem_write (word_add d (word (n - k))) (rbytes s (word_add a (word (n - k))) k)
         (mem_zero d (n - k) s)`;;

(* copyout's toxic check: the first kernel toxic range [a, +n) touches;
   (T, a) when a lies inside it, (T, its start) when it starts in the
   source, (F, 0) when there is none *)
let co_tox = sprim list_RECURSION
  `(co_tox (a:int64) (n:int64) [] = (F, word 0)) /\
   (co_tox a n (CONS rg t) =
      if r_flag 8 rg /\ r_space rg = 0 then
        (if val (word_sub a (r_base rg)) < r_size rg then (T, a)
         else if val (word_sub (r_base rg) a) < val n then (T, r_base rg)
         else co_tox a n t)
      else co_tox a n t)`;;

(* byte order: the low w bytes of v in reverse order *)
let bswap = sdefine
  `bswap w (v:int64) =
     if w = 0 then word 0
     else word_or (word_shl (word_and v (word 255)) (8 * (w - 1)))
                  (bswap (w - 1) (word_ushr v 8))`;;
let btrunc = sdef
  `btrunc w (v:int64) = if w = 8 then v else word (val v MOD 2 EXP (8 * w))`;;

(* ---- effects ---- *)
let () =
  let rdv v = "next (set_rd (i_rd i) (" ^ v ^ ") s)" in
  let a k = "(targ s " ^ string_of_int k ^ ")" in
  eff "s_rd0_kpriv_a0" ("fault 6 " ^ a 0 ^ " (set_rd (i_rd i) (word 0) s)");
  eff "s_kpriv_a0" ("fault 6 " ^ a 0 ^ " s");
  eff "s_bad_a0" ("fault 1 " ^ a 0 ^ " s");
  eff "s_bad_a1" ("fault 1 " ^ a 1 ^ " s");
  (* copyin: the scratch is consumed before the user range is read *)
  eff "s_copyin_range" ("fault 1 " ^ a 0 ^ " (salloc_take s " ^ a 1 ^ " s)");
  eff "s_copyin_bad" ("fault 1 (fbyte s 1 " ^ a 0 ^ " (val " ^ a 1 ^ ") " ^ a 0 ^ ") " ^
                      "(salloc_take s " ^ a 1 ^ " (mem_write (salloc_at s) (cin_bytes s " ^
                      a 0 ^ " (val " ^ a 1 ^ ")) s))");
  eff "s_copyin" ("next (set_rd (i_rd i) (salloc_at s) (salloc_take s " ^ a 1 ^
                  " (mem_write (salloc_at s) (le_bytes (mem_num s 1 " ^ a 0 ^
                  " (val " ^ a 1 ^ ")) (val " ^ a 1 ^ ")) s)))");
  eff "s_alloca" ("next (set_rd (i_rd i) (salloc_at s) (salloc_take s " ^ a 0 ^ " s))");
  (* bcopy, copyinto: memmove semantics (the source is read first) *)
  eff "s_bcopy_bad" ("fault 1 (bad_at s 0 " ^ a 0 ^ " (val " ^ a 2 ^ ")) (zcopy " ^
                     a 1 ^ " " ^ a 0 ^ " (val " ^ a 2 ^ ") s)");
  eff "s_bcopy" ("next (mem_write " ^ a 1 ^ " (le_bytes (mem_num s 0 " ^ a 0 ^
                 " (val " ^ a 2 ^ ")) (val " ^ a 2 ^ ")) s)");
  eff "s_cinto_bad" ("fault 1 (bad_at s 1 " ^ a 0 ^ " (val " ^ a 1 ^ ")) (mem_write " ^
                     a 2 ^ " (cinto_bytes s " ^ a 0 ^ " (val " ^ a 1 ^ ")) s)");
  eff "s_cinto" ("next (mem_write " ^ a 2 ^ " (le_bytes (mem_num s 1 " ^ a 0 ^
                 " (val " ^ a 1 ^ ")) (val " ^ a 1 ^ ")) s)");
  eff "s_co_toxic" ("fault 1 (SND (co_tox " ^ a 0 ^ " " ^ a 2 ^ " (s_mem s))) s");
  eff "s_getmajor" (rdv ("word_and (word_ushr " ^ a 0 ^ " 32) (word 4294967295)"));
  eff "s_getminor" (rdv ("word_and " ^ a 0 ^ " (word 4294967295)"));
  List.iter (fun w ->
    let ws = string_of_int w in
    eff ("s_swap" ^ ws) (rdv ("bswap " ^ ws ^ " " ^ a 0));
    eff ("s_trunc" ^ ws) (rdv ("btrunc " ^ ws ^ " " ^ a 0))) [2; 4; 8];
  (* memref: {addr, len} as two 8-byte words in host (little-endian) order *)
  eff "s_memref" ("next (set_rd (i_rd i) (salloc_at s) (salloc_take s (word 16) " ^
                  "(mem_write (salloc_at s) (le_bytes (val " ^ a 0 ^ " + 2 EXP 64 * val " ^
                  a 1 ^ ") 16) s)))");
  ()
;;

(* ---- the rows, in the order of spec/subr_table.inc ---- *)
let cs ?(p=3) sub insn cname cond eff =
  dif_table := !dif_table @ [{insn = insn; op = 47; cname = cname; excl = true;
                              profs = p; cond = cond; eff = eff; sub = sub}];;

let () =
  let a k = "(targ s " ^ string_of_int k ^ ")" in
  let host ?(p=3) sub n = cs ~p sub n "no-host" "T" "illop" in
  let unimpl sub n = cs ~p:1 sub n "unimplemented" "T" "nothing" in
  cs (1, 1) "mutex_owned" "kpriv" ("~canload s " ^ a 0 ^ " 8") "s_rd0_kpriv_a0";
  host (1, 1) "mutex_owned";
  host (2, 2) "mutex_owner";
  host (3, 3) "mutex_type_adaptive";
  host (4, 4) "mutex_type_spin";
  host (5, 5) "rw_read_held";
  host (6, 6) "rw_write_held";
  host (7, 7) "rw_iswriter";
  cs (8, 8) "copyin" "noscratch" ("salloc_no s " ^ a 1) "noscratch_rd0";
  cs (8, 8) "copyin" "user-range" ("ubad " ^ a 0 ^ " " ^ a 1) "s_copyin_range";
  cs (8, 8) "copyin" "badaddr"
    ("~(" ^ a 1 ^ " = word 0) /\\ ~readable s 1 " ^ a 0 ^ " (val " ^ a 1 ^ ")") "s_copyin_bad";
  cs (8, 8) "copyin" "copy" "T" "s_copyin";
  host (10, 10) "speculation";
  host (11, 11) "progenyof";
  (* copyout: the checks before the write, then no user-memory writer *)
  cs (13, 13) "copyout" "nodestructive" "bitset (s_deny s) 8" "nothing";
  cs (13, 13) "copyout" "upriv" "bitset (s_deny s) 4" "upriv_e";
  cs (13, 13) "copyout" "toxic" ("FST (co_tox " ^ a 0 ^ " " ^ a 2 ^ " (s_mem s))") "s_co_toxic";
  cs (13, 13) "copyout" "kpriv" ("~canload s " ^ a 0 ^ " (val " ^ a 2 ^ ")") "s_kpriv_a0";
  cs (13, 13) "copyout" "user-range" ("ubad " ^ a 1 ^ " " ^ a 2) "s_bad_a1";
  cs (13, 13) "copyout" "badaddr-src"
    ("~(" ^ a 2 ^ " = word 0) /\\ ~readable s 0 " ^ a 0 ^ " (val " ^ a 2 ^ ")") "s_bcopy_bad";
  cs (13, 13) "copyout" "nowriter" "T" "s_bad_a1";
  cs (15, 15) "alloca" "noscratch" ("salloc_no s " ^ a 0) "noscratch_rd0";
  cs (15, 15) "alloca" "alloc" "T" "s_alloca";
  (* bcopy and copyinto fault with the old R[rd] when the destination is
     not allocated scratch (dif-isa.md 11.12) *)
  cs (16, 16) "bcopy" "badaddr-dest" ("~inscr s " ^ a 1 ^ " " ^ a 2) "st_bad_e";
  cs (16, 16) "bcopy" "kpriv" ("~canload s " ^ a 0 ^ " (val " ^ a 2 ^ ")") "s_rd0_kpriv_a0";
  cs (16, 16) "bcopy" "badaddr-src"
    ("~(" ^ a 2 ^ " = word 0) /\\ ~readable s 0 " ^ a 0 ^ " (val " ^ a 2 ^ ")") "s_bcopy_bad";
  cs (16, 16) "bcopy" "copy" "T" "s_bcopy";
  cs (17, 17) "copyinto" "badaddr-dest" ("~inscr s " ^ a 2 ^ " " ^ a 1) "st_bad_e";
  cs (17, 17) "copyinto" "user-range" ("ubad " ^ a 0 ^ " " ^ a 1) "s_bad_a0";
  cs (17, 17) "copyinto" "badaddr"
    ("~(" ^ a 1 ^ " = word 0) /\\ ~readable s 1 " ^ a 0 ^ " (val " ^ a 1 ^ ")") "s_cinto_bad";
  cs (17, 17) "copyinto" "copy" "T" "s_cinto";
  (* illumos-only STREAMS and device subroutines: FreeBSD does nothing *)
  unimpl (18, 18) "msgdsize"; host ~p:2 (18, 18) "msgdsize";
  unimpl (19, 19) "msgsize"; host ~p:2 (19, 19) "msgsize";
  unimpl (20, 20) "getmajor"; cs ~p:2 (20, 20) "getmajor" "major" "T" "s_getmajor";
  unimpl (21, 21) "getminor"; cs ~p:2 (21, 21) "getminor" "minor" "T" "s_getminor";
  unimpl (22, 22) "ddi_pathname"; host ~p:2 (22, 22) "ddi_pathname";
  (* byte order (host order decides) *)
  List.iter (fun (n, k, w) ->
    let ws = string_of_int w in
    cs (k, k) n "swap" "~dif_host_be" ("s_swap" ^ ws);
    cs (k, k) n "identity" "dif_host_be" ("s_trunc" ^ ws))
    ["htons", 35, 2; "htonl", 36, 4; "htonll", 37, 8;
     "ntohs", 38, 2; "ntohl", 39, 4; "ntohll", 40, 8];
  (* FreeBSD memref, sx_*; getf *)
  cs ~p:1 (46, -1) "memref" "noscratch" "salloc_no s (word 16)" "noscratch_rd0";
  cs ~p:1 (46, -1) "memref" "ref" "T" "s_memref";
  host ~p:1 (47, -1) "sx_shared_held";
  host ~p:1 (48, -1) "sx_exclusive_held";
  host ~p:1 (49, -1) "sx_isexclusive";
  host (51, 46) "getf"
;;

dif_loaded := "subr.ml" :: !dif_loaded;;
