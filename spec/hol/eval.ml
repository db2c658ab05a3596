(* ========================================================================= *)
(* Evaluation of the DIF definitions inside the prover: call-by-value        *)
(* rewriting (HOL Light's Compute) with the definitions, plus the numeral    *)
(* and word arithmetic conversions. Every result is a theorem |- t = v.      *)
(* ========================================================================= *)

(* nth_or by rewriting costs a numeral subtraction and test per element
   (about 2 ms each here), so reading byte k of a region's list costs O(k)
   of them, and a byte-by-byte scan of a string in the string table or in
   a copy is quadratic: one scmp over 256 bytes took minutes. NTH_OR_CONV
   proves nth_or d k l from two lemmas instead: 16 elements per step (one
   numeral addition), then single ones. *)
let NTH_OR_ADD1 = prove
 (`!d n h t. nth_or (d:A) (n + 1) (CONS h t) = nth_or d n t`,
  REWRITE_TAC[nth_or; ADD_EQ_0; ARITH_EQ; ADD_SUB]);;
let NTH_OR_ADD16 =
  let hs = map (fun k -> mk_var ("h" ^ string_of_int k, `:A`)) (1--16) in
  let l = itlist (fun h t -> mk_cons h t) hs `t:A list` in
  prove
   (list_mk_forall (`d:A` :: `n:num` :: `t:A list` :: hs,
      mk_eq (list_mk_comb (`nth_or:A->num->A list->A`,
               [`d:A`; `n + 16`; l]), `nth_or (d:A) n t`)),
    REPEAT GEN_TAC THEN
    EVERY (map (fun k -> REWRITE_TAC[ARITH_RULE (mk_eq (mk_binop `(+):num->num->num` `n:num`
      (mk_small_numeral k), mk_binop `(+):num->num->num` (mk_binop `(+):num->num->num` `n:num`
      (mk_small_numeral (k - 1))) `1`)); NTH_OR_ADD1]) (rev (2--16))) THEN
    REWRITE_TAC[NTH_OR_ADD1]);;
let NTH_OR_CONV =
  let nil_th, cons_th = CONJ_PAIR nth_or in
  let zero_th = prove
   (`!d h t. nth_or (d:A) 0 (CONS h t) = h`, REWRITE_TAC[nth_or]) in
  let rec long n l = n = 0 || (is_cons l && long (n - 1) (rand l)) in
  let rec conv tm =
    let f, args = strip_comb tm in
    match args with
    | [d; k; l] when fst (dest_const f) = "nth_or" && is_numeral k ->
        if not (is_cons l) then PART_MATCH lhs nil_th tm
        else
          let kn = dest_numeral k in
          if kn =/ Num.num_of_int 0 then PART_MATCH lhs zero_th tm
          else
            let sz = if kn >=/ Num.num_of_int 16 && long 16 l then 16 else 1 in
            let eq = NUM_ADD_CONV (mk_binop `(+):num->num->num`
                       (mk_numeral (kn -/ Num.num_of_int sz)) (mk_small_numeral sz)) in
            let th1 = AP_THM (AP_TERM (mk_comb (f, d)) (SYM eq)) l in
            let th2 = PART_MATCH lhs (if sz = 16 then NTH_OR_ADD16 else NTH_OR_ADD1)
                        (rand (concl th1)) in
            let th3 = TRANS th1 th2 in
            TRANS th3 (conv (rand (concl th3)))
    | _ -> failwith "NTH_OR_CONV" in
  conv;;

(* string checks that are conditions of several chained guards (a CX
   case's guard repeats the earlier cases' conditions: scmp's eleven cases
   evaluated the same string scan up to eleven times): evaluated once per
   argument list by dif_memo_conv below *)
let dif_memo_defs = [vs_cls; scls; scres];;

let dif_compset =
  let cs = Compute.bool_compset () in
  (* conditionals: evaluate the guard first, then one branch *)
  Compute.set_skip cs `COND:bool->A->A->A` (Some 1);
  let defs = dif_accessors @ dif_updaters @
    [i_op; i_r1; i_r2; i_rd; i_label; i_idx; dif_decode; upd_nth; llen;
     ltl; alookup; amem; dif_va_strtab; dif_va_scratch; dif_va_end;
     dif_int64_min; reg; set_rd; next; fault; unsup; bitset; kpriv; ppriv;
     setcc; R1; R2; RD; r_base; r_size; r_space; r_flag; r_off; r_has; r_rem;
     find_reg; any_toxic; in_window; vm_obj; host_obj; reg_for; fits; readable;
     bad_end; bad_at; cl_obj; cl_fits; canload; canstore; ov_byte; r_byte; r_num;
     opt_num; mem_num; mem_byte; ext; le_bytes; wr_reg; mem_put; mem_write;
     mem_zero; sscan; str_bytes; rup8; apad; dif_sll; dif_srl; dif_sra; div_ovf;
     push; pbound; vget; vset; vkind; vsize; vval; bkind; bpriv; bk; bp;
     bstr_room; opt_rem; cl_rem; vsrc; dif_fix; dif_dispatch; dif_step;
     running; dif_exec; dif_reset; dif_runs; tslots0; dif_s_call;
     FST; SND; MIN; MAX; LET_END_DEF] @ !dif_subr_defs @
     !dif_dyn_defs @ [APPEND; REVERSE] @
     filter (fun th -> not (mem th dif_memo_defs)) dif_scmp_defs @
    map snd dif_effect_defs @ map snd dif_guard_defs @ map snd dif_insn_defs in
  Compute.add_thms defs cs;
  let num_ops = [`(+):num->num->num`; `(-):num->num->num`; `( * ):num->num->num`;
    `(DIV):num->num->num`; `(MOD):num->num->num`; `(EXP):num->num->num`;
    `(<):num->num->bool`; `(<=):num->num->bool`; `(>):num->num->bool`;
    `(>=):num->num->bool`; `SUC`] in
  List.iter (fun t ->
    let n = length (fst (splitlist dest_fun_ty (type_of t))) in
    Compute.add_conv (t, n, NUM_RED_CONV) cs) num_ops;
  Compute.add_conv (`(=):num->num->bool`, 2,
    fun t -> try NUM_RED_CONV t with Failure _ -> WORD_RED_CONV t) cs;
  let word_ops = [`word:num->N word`, 1; `val:N word->num`, 1;
    `bit:num->N word->bool`, 2; `word_add:N word->N word->N word`, 2;
    `word_sub:N word->N word->N word`, 2; `word_mul:N word->N word->N word`, 2;
    `word_udiv:N word->N word->N word`, 2; `word_umod:N word->N word->N word`, 2;
    `word_jdiv:N word->N word->N word`, 2; `word_jrem:N word->N word->N word`, 2;
    `word_and:N word->N word->N word`, 2; `word_or:N word->N word->N word`, 2;
    `word_xor:N word->N word->N word`, 2; `word_not:N word->N word`, 1;
    `word_shl:N word->num->N word`, 2; `word_ushr:N word->num->N word`, 2;
    `word_ishr:N word->num->N word`, 2; `word_ult:N word->N word->bool`, 2;
    `word_ugt:N word->N word->bool`, 2] in
  List.iter (fun (t, n) -> Compute.add_conv (t, n, WORD_RED_CONV) cs) word_ops;
  Compute.add_conv (`nth_or:A->num->A list->A`, 3, NTH_OR_CONV) cs;
  cs;;

let DIF_EVAL_CONV = Compute.CBV_CONV dif_compset;;

(* a constant of dif_memo_defs: unfold, evaluate, keep the theorem for the
   same arguments (the table is emptied when it grows past 256) *)
let dif_memo_conv def =
  let tbl = Hashtbl.create 64 in
  fun tm ->
    try Hashtbl.find tbl tm with Not_found ->
      let th = (REWR_CONV def THENC DIF_EVAL_CONV) tm in
      if Hashtbl.length tbl >= 256 then Hashtbl.reset tbl;
      Hashtbl.add tbl tm th; th;;
List.iter (fun def ->
  let c, args = strip_comb (lhs (snd (strip_forall (concl def)))) in
  Compute.add_conv (c, length args, dif_memo_conv def) dif_compset) dif_memo_defs;;
