(* ========================================================================= *)
(* Evaluation of the DIF definitions inside the prover: call-by-value        *)
(* rewriting (HOL Light's Compute) with the definitions, plus the numeral    *)
(* and word arithmetic conversions. Every result is a theorem |- t = v.      *)
(* ========================================================================= *)

let dif_compset =
  let cs = Compute.bool_compset () in
  (* conditionals: evaluate the guard first, then one branch *)
  Compute.set_skip cs `COND:bool->A->A->A` (Some 1);
  let defs = dif_accessors @ dif_updaters @
    [i_op; i_r1; i_r2; i_rd; i_label; i_idx; dif_decode; nth_or; upd_nth; llen;
     ltl; alookup; amem; dif_va_strtab; dif_va_scratch; dif_va_end;
     dif_int64_min; reg; set_rd; next; fault; unsup; bitset; kpriv; ppriv;
     setcc; R1; R2; RD; r_base; r_size; r_space; r_flag; r_off; r_has; r_rem;
     find_reg; any_toxic; in_window; vm_obj; host_obj; reg_for; fits; readable;
     bad_end; bad_at; cl_obj; cl_fits; canload; canstore; ov_byte; r_byte; r_num;
     opt_num; mem_num; mem_byte; ext; le_bytes; wr_reg; mem_put; mem_write;
     mem_zero; sscan; str_bytes; rup8; apad; dif_sll; dif_srl; dif_sra; div_ovf;
     push; pbound; vget; vset; vkind; vsize; vval; bkind; bpriv; bk; bp;
     bstr_room; opt_rem; cl_rem; vs_cls; vsrc; dif_fix; dif_dispatch; dif_step;
     running; dif_exec; dif_reset; dif_runs; tslots0; dif_s_call;
     FST; SND; MIN; MAX; LET_END_DEF] @ !dif_subr_defs @
     !dif_dyn_defs @ [APPEND; REVERSE] @ dif_scmp_defs @
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
  cs;;

let DIF_EVAL_CONV = Compute.CBV_CONV dif_compset;;
