(* ========================================================================= *)
(* Theorems about the subroutines (subr.ml). Loaded after theorems.ml, which *)
(* already proves every subroutine's guards disjoint and exhaustive          *)
(* (DIF_<NAME>_DISJOINT, DIF_<NAME>_EXHAUSTIVE).                             *)
(* ========================================================================= *)

let dif_sguard insn cname =
  List.assq (List.find (fun c -> c.insn = insn && c.cname = cname) !dif_table)
    dif_guard_defs;;
let dif_seff n = assoc n dif_effect_defs;;
let dif_thm_or name = match (try Some (dthm_get name) with _ -> None) with
  | Some t -> t | None -> TRUTH;;

(* ---- scratch allocation (alloca, copyin, memref): the result is the
   8-aligned pointer inside scratch and the allocation stays inside ---- *)
let SALLOC_SAFE = dthm "DIF_SCRATCH_ALLOC_SAFE"
 `!s n. s_sptr s <= s_ssize s /\ s_ssize s <= 2 EXP 40 /\ ~salloc_no s n
        ==> val (salloc_at s) MOD 8 = 0 /\
            dif_va_scratch <= val (salloc_at s) /\
            val (salloc_at s) + val n <= dif_va_scratch + s_ssize s /\
            s_sptr s + apad s + val n <= s_ssize s`
 (REPEAT GEN_TAC THEN REWRITE_TAC[salloc_at; salloc_no; apad; DE_MORGAN_THM; NOT_LE; NOT_LT] THEN
  STRIP_TAC THEN ALLOC_SAFE_TAC);;
let SALLOC_SAFE_TH = dif_thm_or "DIF_SCRATCH_ALLOC_SAFE";;

let _ = dthm "DIF_ALLOCA_SAFE"
 `!s i. s_sptr s <= s_ssize s /\ s_ssize s <= 2 EXP 40 /\ dif_g_alloca_alloc s i
        ==> dif_s_alloca s i =
              next (set_rd (i_rd i) (salloc_at s) (salloc_take s (targ s 0) s)) /\
            val (salloc_at s) MOD 8 = 0 /\
            dif_va_scratch <= val (salloc_at s) /\
            val (salloc_at s) + val (targ s 0) <= dif_va_scratch + s_ssize s /\
            s_sptr s + apad s + val (targ s 0) <= s_ssize s`
 (REPEAT GEN_TAC THEN STRIP_TAC THEN
  MP_TAC (SPECL [`s:dif_state`; `i:dif_insn`] (dif_thm_or "DIF_ALLOCA_DISJOINT")) THEN
  ASM_REWRITE_TAC[] THEN DISCH_TAC THEN
  ASM_REWRITE_TAC[assoc "alloca" dif_insn_defs; dif_seff "s_alloca"] THEN
  SUBGOAL_THEN `~salloc_no s (targ s 0)` ASSUME_TAC THENL
   [UNDISCH_TAC `dif_g_alloca_alloc s i` THEN
    REWRITE_TAC[dif_sguard "alloca" "alloc"] THEN SIMP_TAC[]; ALL_TAC] THEN
  MATCH_MP_TAC SALLOC_SAFE_TH THEN ASM_REWRITE_TAC[]);;

(* ---- byte order: swapping twice gives the value back (the low bytes) ---- *)
let BSWAP_UNFOLD w =
  GEN_ALL (DIF_EVAL_CONV (mk_comb (mk_comb (`bswap`, mk_small_numeral w), `v:int64`)));;
let BSWAP_TWICE_TAC w =
  GEN_TAC THEN REWRITE_TAC[BSWAP_UNFOLD w; WORD_EQ_BITS_ALT; DIMINDEX_64] THEN
  CONV_TAC EXPAND_CASES_CONV THEN
  REWRITE_TAC[BIT_WORD_OR; BIT_WORD_AND; BIT_WORD_SHL; BIT_WORD_USHR; BIT_WORD;
              BIT_WORD_0; DIMINDEX_64] THEN
  CONV_TAC NUM_REDUCE_CONV THEN REWRITE_TAC[];;
let _ = dthm "DIF_HTONLL_INVOLUTION"
 `!v. bswap 8 (bswap 8 v) = v` (BSWAP_TWICE_TAC 8);;
let _ = dthm "DIF_HTONL_TWICE"
 `!v. bswap 4 (bswap 4 v) = word_and v (word 4294967295)` (BSWAP_TWICE_TAC 4);;
let _ = dthm "DIF_HTONS_TWICE"
 `!v. bswap 2 (bswap 2 v) = word_and v (word 65535)` (BSWAP_TWICE_TAC 2);;

(* ---- the tuple registers: CALL reads a pushed value at its push
   position, and after pops or flushts the stale value stays readable ---- *)
let NTH_UPD_EQ = prove
 (`!l r (d:A) v. r < llen l ==> nth_or d r (upd_nth r v l) = v`,
  LIST_INDUCT_TAC THEN REWRITE_TAC[upd_nth; nth_or; llen; LT] THEN
  REPEAT GEN_TAC THEN COND_CASES_TAC THEN ASM_REWRITE_TAC[nth_or] THEN
  DISCH_TAC THEN FIRST_X_ASSUM MATCH_MP_TAC THEN ASM_ARITH_TAC);;

let _ = dthm "DIF_CALL_ARG_PUSHED"
 `!s v z. llen (s_tstack s) < llen (s_tslots s)
          ==> targ (push v z s) (llen (s_tstack s)) = v`
 (REPEAT GEN_TAC THEN DISCH_TAC THEN REWRITE_TAC[targ; push] THEN
  SUBGOAL_THEN `!t. s_tslots (s_set_tslots t (s_set_tstack (CONS (v,z) (s_tstack s)) s)) = t`
    (fun th -> REWRITE_TAC[th]) THENL
   [SPEC_TAC(`s:dif_state`,`s:dif_state`) THEN STATE_TAC; ALL_TAC] THEN
  ASM_SIMP_TAC[NTH_UPD_EQ]);;

let _ = dthm "DIF_CALL_ARG_STALE"
 `!s k. targ (s_set_tstack (ltl (s_tstack s)) s) k = targ s k /\
        targ (s_set_tstack [] s) k = targ s k`
 (REPEAT GEN_TAC THEN REWRITE_TAC[targ] THEN
  SPEC_TAC(`s:dif_state`,`s:dif_state`) THEN STATE_TAC);;

(* ---- FreeBSD's unimplemented subroutines leave every register alone ---- *)
let () =
  List.iter (fun n ->
    ignore (dthm ("DIF_" ^ String.uppercase_ascii n ^ "_FREEBSD_KEEPS_REGS")
      (parse_term ("!s i. ~(s_prof s = 1) ==> s_regs (dif_s_" ^ n ^ " s i) = s_regs s /\\ " ^
                   "s_status (dif_s_" ^ n ^ " s i) = s_status s"))
      (REPEAT GEN_TAC THEN DISCH_TAC THEN
       ASM_REWRITE_TAC[assoc n dif_insn_defs; dif_sguard n "unimplemented";
                       dif_seff "nothing"; next] THEN
       POP_ASSUM (K ALL_TAC) THEN
       SPEC_TAC(`s:dif_state`,`s:dif_state`) THEN STATE_TAC)))
    ["msgdsize"; "msgsize"; "getmajor"; "getminor"; "ddi_pathname"];;

(* ---- bcopy and copyinto write only allocated scratch: when they copy,
   and when their source faults (the bytes before the fault, and bcopy's
   zeros after it, are written there too) ---- *)
let () =
  List.iter (fun (n, c, tag, d, k) ->
    ignore (dthm ("DIF_" ^ String.uppercase_ascii n ^ tag ^ "_DEST_IN_SCRATCH")
      (parse_term ("!s i. dif_g_" ^ n ^ "_" ^ dif_ident c ^ " s i ==> dif_va_scratch <= val (targ s " ^ d ^
                   ") /\\ val (targ s " ^ d ^ ") + val (targ s " ^ k ^
                   ") <= dif_va_scratch + s_sptr s"))
      (REPEAT GEN_TAC THEN REWRITE_TAC[dif_sguard n c; inscr] THEN
       CONV_TAC TAUT)))
    ["bcopy", "copy", "", "1", "2"; "copyinto", "copy", "", "2", "1";
     "bcopy", "badaddr-src", "_FAULT", "1", "2"; "copyinto", "badaddr", "_FAULT", "2", "1"];;
(* ---- string results: the buffer a converting case fills lies inside
   scratch (the guard's NOSCRATCH test is the one that ensures it) ---- *)
let () =
  List.iter (fun (n, need) ->
    ignore (dthm ("DIF_" ^ String.uppercase_ascii n ^ "_RESULT_FITS")
      (parse_term ("!s i. s_sptr s <= s_ssize s /\\ dif_g_" ^ n ^
                   "_convert s i ==> s_sptr s + " ^ need ^ " <= s_ssize s"))
      (REPEAT GEN_TAC THEN REWRITE_TAC[dif_sguard n "convert"; nofit; NOT_LT] THEN
       STRIP_TAC THEN ASM_ARITH_TAC)))
    ["toupper", "s_strsize s"; "tolower", "s_strsize s"; "lltostr", "65"];;
