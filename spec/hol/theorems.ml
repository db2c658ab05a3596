(* ========================================================================= *)
(* Theorems about the DIF theory. Every theorem is proved here (no axioms,   *)
(* ./dev hol fails if an unproved assertion appears in these files.     *)
(* ========================================================================= *)

let dif_thms = ref ([]:(string * thm) list);;
let dthm name tm tac =
  let t0 = Sys.time () in
  try
    let th = prove (tm, tac) in
    dif_thms := (name, th) :: !dif_thms;
    Format.print_flush ();
    Printf.printf "proved %s (%.1f s)\n%!" name (Sys.time () -. t0);
    Some th
  with e -> (dif_fail name e; None);;
let dthm_get name = assoc name !dif_thms;;

let INT64_NE_0_MINUS1 = prove
 (`~((word 0:int64) = word 18446744073709551615)`,
  CONV_TAC WORD_REDUCE_CONV);;

(* ---- guards: pairwise disjoint and exhaustive, per instruction ---- *)
(* Case analysis on each condition in table order (linear for the chained
   CX guards), then arithmetic on what is left. *)
let WORD_FACTS = [div_ovf; WORD_UGT; WORD_ULT; GSYM VAL_EQ];;
let GUARD_TAC gdefs conds pre =
  REWRITE_TAC gdefs THEN REPEAT GEN_TAC THEN
  (if pre then DISCH_TAC else ALL_TAC) THEN
  MAP_EVERY (fun c -> ASM_CASES_TAC c THEN ASM_REWRITE_TAC[]) conds THEN
  FIRST [ASM_ARITH_TAC;
         RULE_ASSUM_TAC (REWRITE_RULE WORD_FACTS) THEN REWRITE_TAC WORD_FACTS THEN
         CONV_TAC (DEPTH_CONV WORD_RED_CONV) THEN
         RULE_ASSUM_TAC (CONV_RULE (DEPTH_CONV WORD_RED_CONV)) THEN ASM_ARITH_TAC;
         ASM_MESON_TAC [div_ovf; INT64_NE_0_MINUS1]];;

(* Instructions with chained (CX) guards: disjointness and exhaustiveness
   are propositional in the conditions, so each condition (largest first)
   is generalised to a boolean variable and the variables are split in
   table order. *)
let rec dif_tsize t = match t with
  | Comb (a, b) -> dif_tsize a + dif_tsize b
  | Abs (_, b) -> 1 + dif_tsize b
  | _ -> 1;;
let rec dif_atoms t =
  if t = `T` || t = `F` then [] else
  if is_neg t then dif_atoms (dest_neg t) else
  if is_conj t || is_disj t || is_imp t ||
     (is_eq t && type_of (lhs t) = bool_ty) then
    union (dif_atoms (lhand t)) (dif_atoms (rand t))
  else [t];;
let BK_RANGE = prove
 (`!s i. bk s i = 0 \/ bk s i = 1 \/ bk s i = 2 \/ bk s i = 3`,
  REWRITE_TAC[bk; bkind] THEN REPEAT GEN_TAC THEN
  REPEAT COND_CASES_TAC THEN REWRITE_TAC[]);;
let CHAIN_TAC gdefs conds pre =
  PURE_REWRITE_TAC gdefs THEN PURE_REWRITE_TAC[GSYM NOT_LT] THEN REPEAT GEN_TAC THEN
  (fun (asl, w as g) ->
     (if free_in `bk s i` w then MP_TAC (SPECL [`s:dif_state`; `i:dif_insn`] BK_RANGE)
      else ALL_TAC) g) THEN
  (fun (asl, w as g) ->
     (if free_in `scode s i` w then MP_TAC (SPECL [`s:dif_state`; `i:dif_insn`] SCODE_RANGE)
      else ALL_TAC) g) THEN
  (fun (asl, w as g) ->
     let ats = sort (fun a b -> dif_tsize a > dif_tsize b) (dif_atoms w) in
     let vs = map (fun _ -> genvar bool_ty) ats in
     (EVERY (map2 (fun c v -> SPEC_TAC (c, v)) ats vs) THEN
      REPEAT GEN_TAC THEN
      MAP_EVERY (fun v -> ASM_CASES_TAC v THEN ASM_REWRITE_TAC[]) vs THEN
      REWRITE_TAC[]) g);;

let dif_guard_thms =
  map (fun (n, cs) ->
    let gs = map (fun c -> gname c ^ " s i") cs in
    let defs = map (fun c -> List.assq c dif_guard_defs) cs in
    let il_only = forall (fun c -> c.profs = 2) cs in
    let fb_only = forall (fun c -> c.profs = 1) cs in
    let pre = if il_only then "s_prof s = 1 ==> "
              else if fb_only then "~(s_prof s = 1) ==> " else "" in
    let conds =
      (if exists (fun c -> c.profs <> 3) cs then [`s_prof s = 1`] else []) @
      map (fun c -> parse_term c.cond) (filter (fun c -> c.cond <> "T") cs) in
    let exh = "!s i. " ^ pre ^ String.concat " \\/ " gs in
    let rec pairs = function
      | [] -> [] | g :: t -> map (fun h -> "~(" ^ g ^ " /\\ " ^ h ^ ")") t @ pairs t in
    let dis = match pairs gs with
      | [] -> "!s i. T" | ps -> "!s i. " ^ String.concat " /\\ " ps in
    let up = String.uppercase_ascii (dif_ident n) in
    let tac = if exists (fun c -> c.excl) cs then CHAIN_TAC else GUARD_TAC in
    ignore (dthm ("DIF_" ^ up ^ "_EXHAUSTIVE") (parse_term exh) (tac defs conds (il_only || fb_only)));
    ignore (dthm ("DIF_" ^ up ^ "_DISJOINT") (parse_term dis) (tac defs conds false));
    n) dif_insns;;

(* ---- state lemmas ---- *)
let STATE_TAC =
  MATCH_MP_TAC dif_state_INDUCT THEN REWRITE_TAC(dif_accessors @ dif_updaters);;

let NTH_UPD_SAME = prove
 (`!l r (d:A). nth_or d r (upd_nth r d l) = d`,
  LIST_INDUCT_TAC THEN REWRITE_TAC[upd_nth; nth_or] THEN
  REPEAT GEN_TAC THEN COND_CASES_TAC THEN ASM_REWRITE_TAC[nth_or]);;

(* ---- CMP never sets V (dif-isa.md 2.2) ---- *)
let _ = dthm "DIF_CMP_NEVER_SETS_V"
 `!s i. ~s_ccv (dif_s_cmp s i)`
 (REPEAT GEN_TAC THEN REWRITE_TAC[assoc "cmp" dif_insn_defs] THEN
  MP_TAC (SPECL [`s:dif_state`; `i:dif_insn`] (dthm_get "DIF_CMP_EXHAUSTIVE")) THEN
  REPEAT COND_CASES_TAC THEN ASM_REWRITE_TAC[] THEN
  REWRITE_TAC[assoc "cmp" dif_effect_defs; next; setcc] THEN
  SPEC_TAC(`s:dif_state`,`s:dif_state`) THEN STATE_TAC);;

(* ---- shift counts act mod 64 (dif-isa.md 2.1) ---- *)
let SHIFT_MOD_TAC d =
  REPEAT GEN_TAC THEN REWRITE_TAC[d; VAL_WORD; DIMINDEX_64] THEN
  SUBGOAL_THEN `(val (c:int64) MOD 64) MOD 2 EXP 64 = val c MOD 64` SUBST1_TAC THENL
   [MATCH_MP_TAC MOD_LT THEN MP_TAC (SPECL [`val (c:int64)`; `64`] DIVISION) THEN
    ARITH_TAC;
    REWRITE_TAC[MOD_MOD_REFL]];;
let _ = dthm "DIF_SLL_COUNT_MOD64"
 `!x c. dif_sll x c = dif_sll x (word (val c MOD 64))` (SHIFT_MOD_TAC dif_sll);;
let _ = dthm "DIF_SRL_COUNT_MOD64"
 `!x c. dif_srl x c = dif_srl x (word (val c MOD 64))` (SHIFT_MOD_TAC dif_srl);;
let _ = dthm "DIF_SRA_COUNT_MOD64"
 `!x c. dif_sra x c = dif_sra x (word (val c MOD 64))` (SHIFT_MOD_TAC dif_sra);;

(* ---- division by zero and INT64_MIN / -1 fault DIVZERO with rd = 0 ---- *)
let DIVZERO_EFFECT = dthm "DIF_DIVZERO_EFFECT"
 `!s i. s_status (dif_e_divzero s i) = Faulted 4 (word 0) (s_pc s) /\
        reg (i_rd i) (dif_e_divzero s i) = word 0`
 (REWRITE_TAC[assoc "divzero" dif_effect_defs; fault; set_rd; reg] THEN
  REPEAT GEN_TAC THEN COND_CASES_TAC THEN ASM_REWRITE_TAC[] THEN
  SPEC_TAC(`s:dif_state`,`s:dif_state`) THEN STATE_TAC THEN
  REWRITE_TAC[NTH_UPD_SAME]);;

let DIV_FAULT_TAC sdef gdefs =
  REPEAT GEN_TAC THEN STRIP_TAC THEN REWRITE_TAC(sdef :: gdefs) THEN
  ASM_REWRITE_TAC[div_ovf] THEN
  REPEAT (COND_CASES_TAC THEN ASM_REWRITE_TAC[]) THEN
  RULE_ASSUM_TAC (REWRITE_RULE[div_ovf]) THEN
  ASM_MESON_TAC[DIVZERO_EFFECT |> (function Some t -> t | None -> TRUTH);
                INT64_NE_0_MINUS1];;

let () =
  List.iter (fun n ->
    let sdef = assoc n dif_insn_defs in
    let gdefs = map snd (filter (fun (c, _) -> c.insn = n) dif_guard_defs) in
    let up = String.uppercase_ascii n in
    let concl = "s_status (dif_s_" ^ n ^ " s i) = Faulted 4 (word 0) (s_pc s) /\\ " ^
                "reg (i_rd i) (dif_s_" ^ n ^ " s i) = word 0" in
    ignore (dthm ("DIF_" ^ up ^ "_DIVZERO")
      (parse_term ("!s i. R2 s i = word 0 ==> " ^ concl)) (DIV_FAULT_TAC sdef gdefs));
    if n = "sdiv" || n = "srem" then
      ignore (dthm ("DIF_" ^ up ^ "_OVERFLOW_DIVZERO")
        (parse_term ("!s i. R1 s i = word dif_int64_min /\\ " ^
                     "R2 s i = word 18446744073709551615 ==> " ^ concl))
        (DIV_FAULT_TAC sdef gdefs)))
    ["sdiv"; "udiv"; "srem"; "urem"];;

(* ---- allocs: the result lies inside scratch and is 8-aligned ---- *)
let alloc_ptr = ddef `alloc_ptr s = word (dif_va_scratch + rup8 (s_sptr s)):int64`;;

let RUP8_BOUNDS = prove
 (`!n. n <= rup8 n /\ rup8 n <= n + 7 /\ rup8 n MOD 8 = 0`,
  GEN_TAC THEN REWRITE_TAC[rup8] THEN
  MP_TAC (SPECL [`n + 7`; `8`] DIVISION) THEN
  REWRITE_TAC[ARITH_RULE `~(8 = 0)`] THEN STRIP_TAC THEN
  REWRITE_TAC[MOD_MULT; ONCE_REWRITE_RULE[MULT_SYM] MOD_MULT] THEN
  ASM_ARITH_TAC);;

let _ = dthm "DIF_ALLOCS_EFFECT_PTR"
 `!s i. dif_e_allocs s i =
        next (set_rd (i_rd i) (alloc_ptr s)
          (s_set_sptr (s_sptr s + apad s + val (R1 s i))
            (mem_zero (word (dif_va_scratch + s_sptr s)) (apad s + val (R1 s i)) s)))`
 (REWRITE_TAC[assoc "allocs" dif_effect_defs; alloc_ptr]);;

(* the pointer rounded up to 8 lies in scratch (allocs and the scratch
   allocations of subroutines) *)
let ALLOC_SAFE_TAC =
  MP_TAC (SPEC `s_sptr s` RUP8_BOUNDS) THEN STRIP_TAC THEN
  SUBGOAL_THEN `val (word (dif_va_scratch + rup8 (s_sptr s)):int64) =
                dif_va_scratch + rup8 (s_sptr s)` SUBST1_TAC THENL
   [REWRITE_TAC[VAL_WORD; DIMINDEX_64] THEN MATCH_MP_TAC MOD_LT THEN
    REWRITE_TAC[dif_va_scratch] THEN ASM_ARITH_TAC; ALL_TAC] THEN
  REPEAT CONJ_TAC THENL
   [ONCE_REWRITE_TAC[GSYM MOD_ADD_MOD] THEN
    ASM_REWRITE_TAC[dif_va_scratch] THEN CONV_TAC NUM_REDUCE_CONV;
    ARITH_TAC;
    ASM_ARITH_TAC;
    ASM_ARITH_TAC];;

let _ = dthm "DIF_ALLOCS_SAFE"
 `!s i. s_sptr s <= s_ssize s /\ s_ssize s <= 2 EXP 40 /\ dif_g_allocs_alloc s i
        ==> val (alloc_ptr s) MOD 8 = 0 /\
            dif_va_scratch <= val (alloc_ptr s) /\
            val (alloc_ptr s) + val (R1 s i) <= dif_va_scratch + s_ssize s /\
            s_sptr s + apad s + val (R1 s i) <= s_ssize s`
 (REPEAT GEN_TAC THEN REWRITE_TAC[alloc_ptr; List.assq (List.find (fun c ->
     c.insn = "allocs" && c.cname = "alloc") !dif_table) dif_guard_defs; apad] THEN
  STRIP_TAC THEN ALLOC_SAFE_TAC);;

(* ---- a load never succeeds outside a readable region ---- *)
let FIND_REG_SOME = prove
 (`!l P a rg. find_reg P a l = SOME rg ==> MEM rg l /\ P rg /\ r_has a rg`,
  LIST_INDUCT_TAC THEN REWRITE_TAC[find_reg; MEM; option_DISTINCT; GSYM option_DISTINCT] THEN
  REPEAT GEN_TAC THEN COND_CASES_TAC THEN REWRITE_TAC[option_INJ] THENL
   [DISCH_THEN (SUBST_ALL_TAC o SYM) THEN ASM_REWRITE_TAC[MEM];
    ASM_MESON_TAC[MEM]]);;

let FITS_SOME = prove
 (`!x a w. fits a w x ==> ?rg. x = SOME rg /\ w <= r_rem a rg`,
  MATCH_MP_TAC option_INDUCT THEN REWRITE_TAC[fits] THEN MESON_TAC[]);;

let READ_SAFE = dthm "DIF_READ_SAFE"
 `!s sp a w. readable s sp a w
             ==> ?rg. MEM rg (s_mem s) /\ r_flag 1 rg /\ r_has a rg /\
                      w <= r_rem a rg /\ (r_space rg = sp \/ r_flag 16 rg)`
 (REPEAT GEN_TAC THEN REWRITE_TAC[readable; reg_for] THEN
  REPEAT COND_CASES_TAC THEN REWRITE_TAC[fits] THEN STRIP_TAC THEN
  FIRST_X_ASSUM (MP_TAC o MATCH_MP FITS_SOME) THEN STRIP_TAC THEN
  FIRST_X_ASSUM (MP_TAC o MATCH_MP FIND_REG_SOME) THEN
  REWRITE_TAC[vm_obj; host_obj] THEN ASM_MESON_TAC[]);;

let () =
  List.iter (fun c ->
    if c.cname = "load" && ((c.op >= 28 && c.op <= 34) || (c.op >= 64 && c.op <= 77)) then
      let w = if String.contains c.insn 'x' then "8"
              else if String.contains c.insn 'w' then "4"
              else if String.contains c.insn 'h' then "2" else "1" in
      let sp = if c.op >= 64 && c.op <= 70 then "1" else "0" in
      ignore (dthm ("DIF_" ^ String.uppercase_ascii c.insn ^ "_LOAD_READABLE")
        (parse_term ("!s i. " ^ gname c ^ " s i ==> ?rg. MEM rg (s_mem s) /\\ " ^
          "r_flag 1 rg /\\ r_has (R1 s i) rg /\\ " ^ w ^ " <= r_rem (R1 s i) rg /\\ " ^
          "(r_space rg = " ^ sp ^ " \\/ r_flag 16 rg)"))
        (REPEAT GEN_TAC THEN REWRITE_TAC[List.assq c dif_guard_defs] THEN STRIP_TAC THEN
         MATCH_MP_TAC (match READ_SAFE with Some t -> t | None -> TRUTH) THEN
         ASM_REWRITE_TAC[])))
    !dif_table;;

(* ---- dynamic variables ---- *)
dif_load "dynthm.ml";;
