(* ========================================================================= *)
(* Theorems about the dynamic variables (dyn.ml); loaded by theorems.ml.     *)
(* ========================================================================= *)

(* after a delete, no element matches the key *)
let _ = dthm "DIF_DDEL_NO_MATCH"
 `!l s ks. dfind s ks (ddel s ks l) = NONE`
 (LIST_INDUCT_TAC THEN REWRITE_TAC[ddel; dfind] THEN POP_ASSUM MP_TAC THEN
  SPEC_TAC (`h:(int64#int64#num)list#int64`, `h:(int64#int64#num)list#int64`) THEN
  REWRITE_TAC[FORALL_PAIR_THM; ddel; dfind] THEN
  REPEAT STRIP_TAC THEN COND_CASES_TAC THEN ASM_REWRITE_TAC[dfind]);;

(* the case of an instruction whose guard holds is the one that fires *)
let DYN_CASE_TAC insn eff extra =
  let up = String.uppercase_ascii insn in
  REPEAT GEN_TAC THEN DISCH_TAC THEN
  MP_TAC (SPECL [`s:dif_state`; `i:dif_insn`] (dthm_get ("DIF_" ^ up ^ "_DISJOINT"))) THEN
  ASM_REWRITE_TAC[] THEN STRIP_TAC THEN
  ASM_REWRITE_TAC[assoc insn dif_insn_defs] THEN
  REWRITE_TAC[assoc eff dif_effect_defs; next; dtslots] THEN
  extra THEN
  SPEC_TAC (`s:dif_state`, `s:dif_state`) THEN STATE_TAC THEN
  REWRITE_TAC[NTH_UPD_SAME];;

(* registers and status through the updates a load makes *)
let REG_NEXT = prove
 (`!r s. reg r (next s) = reg r s`,
  REWRITE_TAC[reg; next] THEN GEN_TAC THEN STATE_TAC);;
let REG_SET_RD0 = prove
 (`!r s. reg r (set_rd r (word 0) s) = word 0`,
  REWRITE_TAC[reg; set_rd] THEN REPEAT GEN_TAC THEN COND_CASES_TAC THEN
  ASM_REWRITE_TAC[] THEN SPEC_TAC (`s:dif_state`, `s:dif_state`) THEN STATE_TAC THEN
  REWRITE_TAC[NTH_UPD_SAME]);;
let STATUS_NEXT = prove
 (`!s. s_status (next s) = s_status s`, REWRITE_TAC[next] THEN STATE_TAC);;
let STATUS_SET_RD = prove
 (`!r v s. s_status (set_rd r v s) = s_status s`,
  REWRITE_TAC[set_rd] THEN REPEAT GEN_TAC THEN COND_CASES_TAC THEN REWRITE_TAC[] THEN
  SPEC_TAC (`s:dif_state`, `s:dif_state`) THEN STATE_TAC);;
let STATUS_TSLOTS = prove
 (`!x s. s_status (s_set_tslots x s) = s_status s`, GEN_TAC THEN STATE_TAC);;

let () =
  List.iter (fun n ->
    let g = "dif_g_" ^ n ^ "_missing s i" and st = "dif_s_" ^ n ^ " s i" in
    ignore (dthm ("DIF_" ^ String.uppercase_ascii n ^ "_MISSING_READS_ZERO")
      (parse_term ("!s i. " ^ g ^ " ==> reg (i_rd i) (" ^ st ^ ") = word 0 /\\ " ^
                   "s_status (" ^ st ^ ") = s_status s"))
      (let up = String.uppercase_ascii n in
       REPEAT GEN_TAC THEN DISCH_TAC THEN
       MP_TAC (SPECL [`s:dif_state`; `i:dif_insn`] (dthm_get ("DIF_" ^ up ^ "_DISJOINT"))) THEN
       ASM_REWRITE_TAC[] THEN STRIP_TAC THEN
       ASM_REWRITE_TAC[assoc n dif_insn_defs] THEN
       REWRITE_TAC[assoc "dl_missing_e" dif_effect_defs; dtslots; REG_NEXT; REG_SET_RD0;
                   STATUS_NEXT; STATUS_SET_RD; STATUS_TSLOTS])))
    ["ldts"; "ldgaa"; "ldtaa"];
  List.iter (fun n ->
    let st = "dif_s_" ^ n ^ " s i" and up = String.uppercase_ascii n in
    ignore (dthm ("DIF_" ^ up ^ "_ZERO_DELETES")
      (parse_term ("!s i. dif_g_" ^ n ^ "_delete s i ==> " ^
                   "s_dvars (" ^ st ^ ") = ddel s (dkeys s i) (s_dvars s) /\\ " ^
                   "s_status (" ^ st ^ ") = s_status s"))
      (DYN_CASE_TAC n "ds_delete_e" ALL_TAC));
    ignore (dthm ("DIF_" ^ up ^ "_DROP_NO_FAULT")
      (parse_term ("!s i. dif_g_" ^ n ^ "_drop s i ==> " ^
                   "s_drops (" ^ st ^ ") = s_drops s + 1 /\\ " ^
                   "s_dvars (" ^ st ^ ") = s_dvars s /\\ " ^
                   "s_status (" ^ st ^ ") = s_status s"))
      (DYN_CASE_TAC n "ds_drop_e" ALL_TAC)))
    ["stts"; "stgaa"; "sttaa"];;

dif_loaded := "dynthm.ml" :: !dif_loaded;;
