(* ========================================================================= *)
(* scmp (dif-isa.md 2.3): string compare, mirroring spec/cases.c case for    *)
(* case. Loaded by cases.ml inside the case table.                           *)
(*                                                                           *)
(* Each side other than NULL is first checked as a string without kernel     *)
(* privilege (strcanload bounded by strsize: KPRIV when its start is not    *)
(* loadable, silent when no NUL lies in its region, BADADDR at the first    *)
(* unreadable byte before the NUL). Then the bytes are compared unsigned up *)
(* to the limit: strsize with kernel privilege, else the smaller rest of the *)
(* two regions (1 for NULL, which reads as ""); a byte that cannot be read   *)
(* faults BADADDR at its address. Flags: N = less, Z = equal, V = C = 0.     *)
(* ========================================================================= *)

(* class of one side: 0 ok, 1 KPRIV, 2 silent, 3 BADADDR *)
let scls = ddef
  `scls s (a:int64) =
     if a = word 0 \/ kpriv s then 0 else vs_cls s (s_strsize s) T a`;;
(* its illegal value: the first unreadable byte of the string scan *)
let sbad = ddef
  `sbad s (a:int64) = word (SND (sscan s a 0 (MIN (s_strsize s) (cl_rem s a)))):int64`;;
let slim = ddef
  `slim s (a:int64) = if a = word 0 then 1 else if kpriv s then s_strsize s else cl_rem s a`;;
let slim2 = ddef `slim2 s i = MIN (slim s (R1 s i)) (slim s (R2 s i))`;;

(* byte k of a side (NULL reads as "") and whether it can be read *)
let sbyte = ddef
  `sbyte s (a:int64) k = if a = word 0 then 0 else mem_num s 0 (word_add a (word k)) 1`;;
let sok = ddef
  `sok s (a:int64) k <=> a = word 0 \/ readable s 0 (word_add a (word k)) 1`;;
(* compare from byte k, n bytes left: 0 fault (with its address), 1 less,
   2 equal, 3 greater *)
let scmpk = define
  `scmpk s (a:int64) (b:int64) k n =
     if n = 0 then (2, word 0:int64) else
     if ~sok s a k then (0, word_add a (word k)) else
     if ~sok s b k then (0, word_add b (word k)) else
     if sbyte s a k < sbyte s b k then (1, word 0) else
     if sbyte s b k < sbyte s a k then (3, word 0) else
     if sbyte s a k = 0 then (2, word 0) else scmpk s a b (k + 1) (n - 1)`;;
incr dif_ndefs;;
let scres = ddef
  `scres s i = if R1 s i = R2 s i \/ slim2 s i = 0 then (2, word 0:int64)
               else scmpk s (R1 s i) (R2 s i) 0 (slim2 s i)`;;
let scode = ddef `scode s i = FST (scres s i)`;;
let SCMPK_LE3 = prove
 (`!n s a b k. FST (scmpk s a b k n) <= 3`,
  INDUCT_TAC THEN REPEAT GEN_TAC THEN ONCE_REWRITE_TAC[scmpk] THEN
  REWRITE_TAC[NOT_SUC; SUC_SUB1] THEN
  REPEAT COND_CASES_TAC THEN ASM_REWRITE_TAC[FST] THEN ARITH_TAC);;
(* the compare's outcome is one of the four (the guards' last case) *)
let SCODE_RANGE = prove
 (`!s i. scode s i = 0 \/ scode s i = 1 \/ scode s i = 2 \/ scode s i = 3`,
  REPEAT GEN_TAC THEN
  SUBGOAL_THEN `scode s i <= 3` MP_TAC THENL
   [REWRITE_TAC[scode; scres] THEN COND_CASES_TAC THEN
    REWRITE_TAC[FST; SCMPK_LE3] THEN ARITH_TAC;
    ARITH_TAC]);;

let dif_scmp_defs = [scls; sbad; slim; slim2; sbyte; sok; scmpk; scres; scode];;

let () =
  eff "scmp_kpriv_l" "fault 6 (R1 s i) s";
  eff "scmp_kpriv_r" "fault 6 (R2 s i) s";
  eff "scmp_bad_l" "fault 1 (sbad s (R1 s i)) s";
  eff "scmp_bad_r" "fault 1 (sbad s (R2 s i)) s";
  eff "scmp_fault_e" "fault 1 (SND (scres s i)) s";
  eff "scmp_set" "next (setcc (scode s i = 1) (scode s i = 2) F F s)";
  let l = "scls s (R1 s i)" and r = "scls s (R2 s i)" in
  cx "scmp" 39 "left-kpriv" (l ^ " = 1") "scmp_kpriv_l";
  cx "scmp" 39 "left-silent" (l ^ " = 2") "nothing";
  cx "scmp" 39 "left-badaddr" (l ^ " = 3") "scmp_bad_l";
  cx "scmp" 39 "right-kpriv" (r ^ " = 1") "scmp_kpriv_r";
  cx "scmp" 39 "right-silent" (r ^ " = 2") "nothing";
  cx "scmp" 39 "right-badaddr" (r ^ " = 3") "scmp_bad_r";
  cx "scmp" 39 "same" "R1 s i = R2 s i \\/ slim2 s i = 0" "scmp_set";
  cx "scmp" 39 "badaddr" "scode s i = 0" "scmp_fault_e";
  cx "scmp" 39 "less" "scode s i = 1" "scmp_set";
  cx "scmp" 39 "equal" "scode s i = 2" "scmp_set";
  cx "scmp" 39 "greater" "scode s i = 3" "scmp_set";;

dif_loaded := "scmp.ml" :: !dif_loaded;;
