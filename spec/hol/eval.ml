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
let dif_memo_defs = [vs_cls; scls; scres] @ !dif_str_memo;;

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
     mem_zero; sscan; str_bytes; rup8;
     dg_str; dg_reg; dg_from; fnv; dif_digest; apad; dif_sll; dif_srl; dif_sra; div_ovf;
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
  let word_ops = [`val:N word->num`, 1;
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
   same arguments (the table is emptied when it grows past 256, and at each
   runtime case: there a theorem may rest on the case's hypotheses v = L
   of the Speed block below, and the next case reuses the names v) *)
let dif_memo_tbls : (term, thm) Hashtbl.t list ref = ref [];;
let dif_memo_reset () = List.iter Hashtbl.reset !dif_memo_tbls;;
let dif_memo_conv def =
  let tbl = Hashtbl.create 64 in
  dif_memo_tbls := tbl :: !dif_memo_tbls;
  fun tm ->
    try Hashtbl.find tbl tm with Not_found ->
      let th = (REWR_CONV def THENC DIF_EVAL_CONV) tm in
      if Hashtbl.length tbl >= 256 then Hashtbl.reset tbl;
      Hashtbl.add tbl tm th; th;;
List.iter (fun def ->
  let c, args = strip_comb (lhs (snd (strip_forall (concl def)))) in
  Compute.add_conv (c, length args, dif_memo_conv def) dif_compset) dif_memo_defs;;

(* ========================================================================= *)
(* Speed (spec/hol/runtime). The cost of Compute's rewriting grows with the  *)
(* size of the terms a rule is instantiated with: SPEC substitutes one       *)
(* variable at a time and walks the instantiated terms again under every    *)
(* remaining binder. A state that carries program text, tables and region   *)
(* bytes as literal lists therefore pays for all of them at each accessor,  *)
(* each region lookup and each step. Three proved shortcuts keep the terms  *)
(* small; every answer is still a theorem |- <run of the case> = <outcome>. *)
(* ========================================================================= *)

(* (1) word n with n < 2^N is already a value: fail at once instead of     *)
(* trying the whole word conversion net (every byte of memory is one).      *)
let dif_word_conv =
  let bounds = ref [] in
  fun tm ->
    let n = dest_numeral (rand tm) in
    let ty = hd (snd (dest_type (type_of tm))) in
    let b = try assoc ty !bounds with Failure _ ->
      let b = Num.power_num (Num.num_of_int 2) (dest_finty ty) in
      bounds := (ty, b) :: !bounds; b in
    if Num.lt_num n b then failwith "dif_word_conv: a value" else WORD_RED_CONV tm;;
Compute.add_conv (`word:num->N word`, 1, dif_word_conv) dif_compset;;

(* (2) Lists no definition changes (program text, integer table, arguments, *)
(* region bytes) stand in the evaluated term as variables v with the        *)
(* hypothesis v = L. nth_or d k v is answered from a lemma proved once per   *)
(* k, |- nth_or d k (CONS x0 (.. (CONS xk t))) = xk, instantiated in one     *)
(* step; at the end the list is put back and the hypothesis v = L proved by  *)
(* REFL (dif_close), so the theorem mentions only the case's own terms.     *)
let DIF_NTH_0 = prove (`!d (h:A) t. nth_or d 0 (CONS h t) = h`, REWRITE_TAC[nth_or]);;
let DIF_NTH_SUC = prove
  (`!d n (h:A) t. nth_or d (SUC n) (CONS h t) = nth_or d n t`,
   REWRITE_TAC[nth_or; NOT_SUC; SUC_SUB1]);;
let dif_nth_x k = mk_var ("x" ^ string_of_int k, aty);;
let dif_nth_d = `d:A` and dif_nth_t = `t:A list`;;
let dif_nth_lemmas = ref [| SPECL [dif_nth_d; dif_nth_x 0; dif_nth_t] DIF_NTH_0 |];;
let rec dif_nth_lemma k =
  let a = !dif_nth_lemmas in
  if k < Array.length a then a.(k) else begin
    let n = Array.length a in
    let prev = a.(n - 1) in
    let shifted = INST (map (fun j -> dif_nth_x (j + 1), dif_nth_x j) (0 -- (n - 1))) prev in
    let l = lhs (concl shifted) in
    let step = SPECL [dif_nth_d; rand (rator l); dif_nth_x 0; rand l] DIF_NTH_SUC in
    let th = CONV_RULE (LAND_CONV (RATOR_CONV (RAND_CONV NUM_SUC_CONV)))
               (TRANS step shifted) in
    dif_nth_lemmas := Array.append a [| th |];
    dif_nth_lemma k
  end;;

(* the lists of the current case: name -> (L, elements, suffixes, v = L, memo) *)
type dif_clist = { cl_var : term; cl_list : term; cl_elems : term array;
                   cl_sufs : term array; cl_asm : thm; cl_memo : (int, thm) Hashtbl.t };;
let dif_clists : (string, dif_clist) Hashtbl.t = Hashtbl.create 16;;
let dif_clists_reset () = Hashtbl.reset dif_clists; dif_memo_reset ();;
(* the variable standing for L (short lists stay literal) *)
let dif_const_list l =
  let elems = Array.of_list (dest_list l) in
  if Array.length elems < 4 then l else begin
    let v = mk_var ("dif_l" ^ string_of_int (Hashtbl.length dif_clists), type_of l) in
    let n = Array.length elems in
    let sufs = Array.make (n + 1) l in
    for k = 1 to n do sufs.(k) <- rand sufs.(k - 1) done;
    Hashtbl.replace dif_clists (fst (dest_var v))
      { cl_var = v; cl_list = l; cl_elems = elems; cl_sufs = sufs;
        cl_asm = ASSUME (mk_eq (v, l)); cl_memo = Hashtbl.create 16 };
    v
  end;;
(* |- nth_or d k (CONS e0 (.. (CONS ek t))) = ek for the given terms *)
let dif_nth_inst d k elems t =
  let ety = type_of d in
  let xv j = mk_var ("x" ^ string_of_int j, ety) in
  INST ((d, mk_var ("d", ety)) :: (t, mk_var ("t", mk_type ("list", [ety]))) ::
        map (fun j -> elems j, xv j) (0 -- k))
       (INST_TYPE [ety, aty] (dif_nth_lemma k));;
let dif_nth_conv tm =
  match strip_comb tm with
  | _, [d; k; v] when is_var v ->
      let c = Hashtbl.find dif_clists (fst (dest_var v)) in
      let kn = dest_numeral k in
      let n = Array.length c.cl_elems in
      if Num.ge_num kn (Num.num_of_int n) then
        TRANS (AP_TERM (rator tm) c.cl_asm)
          (DIF_EVAL_CONV (mk_comb (rator tm, c.cl_list)))
      else begin
        let k = Num.int_of_num kn in
        try Hashtbl.find c.cl_memo k with Not_found ->
          let th = TRANS (AP_TERM (rator tm) c.cl_asm)
                     (dif_nth_inst d k (Array.get c.cl_elems) c.cl_sufs.(k + 1)) in
          Hashtbl.add c.cl_memo k th; th
      end
  | _ -> failwith "dif_nth_conv";;
(* registered after NTH_OR_CONV (literal lists), which fails at once on a
   variable; Compute tries a constant's conversions in the order they were
   added and falls through on failure *)
Compute.add_conv (`nth_or:A->num->A list->A`, 3, dif_nth_conv) dif_compset;;

(* the theorem with every list put back: |- t[L/v] = ...; no hypothesis left *)
let dif_close th =
  let cs = Hashtbl.fold (fun _ c acc -> c :: acc) dif_clists [] in
  let th = INST (map (fun c -> c.cl_list, c.cl_var) cs) th in
  let th = itlist (fun c th -> PROVE_HYP (REFL c.cl_list) th) cs th in
  if hyp th <> [] then failwith "dif_close: hypotheses left" else th;;

(* the run's initial term with its constant lists made variables: the      *)
(* program text, the integer table and the arguments, the region bytes      *)
let dif_abstract_lists tm =
  let f, args = strip_comb tm in
  match args with
  | [text; k; fuel; st] ->
      let c, fs = strip_comb st in
      let field n = index n dif_fields in
      let ro = [field "inttab"; field "args"] and memf = field "mem" in
      let region r =
        let rc, ra = strip_comb r in
        list_mk_comb (rc, map (fun (j, a) -> if j = 4 then dif_const_list a else a)
                             (zip (0 -- (length ra - 1)) ra)) in
      let fs = map (fun (j, a) ->
        if mem j ro then dif_const_list a
        else if j = memf then mk_list (map region (dest_list a), hd (snd (dest_type (type_of a))))
        else a) (zip (0 -- (length fs - 1)) fs) in
      list_mk_comb (f, [dif_const_list text; k; fuel; list_mk_comb (c, fs)])
  | _ -> tm;;

(* (3) Dispatch on the opcode in one rewrite: for each opcode of the        *)
(* program, |- dif_dispatch s (Insn op a b d l x) = dif_s_<insn> s (..),    *)
(* proved by evaluating the definition's opcode chain once; the general     *)
(* equation stays as the fallback.                                          *)
let dif_dispatch_cs =
  let cs = Compute.bool_compset () in
  Compute.set_skip cs `COND:bool->A->A->A` (Some 1);
  Compute.add_thms [dif_dispatch; i_op] cs;
  Compute.add_conv (`(=):num->num->bool`, 2, NUM_RED_CONV) cs;
  cs;;
let dif_dispatch_done = Hashtbl.create 100;;
let dif_specialise_op op =
  if not (Hashtbl.mem dif_dispatch_done op) then begin
    Hashtbl.add dif_dispatch_done op ();
    let tm = list_mk_comb (`dif_dispatch`, [`s:dif_state`;
      list_mk_comb (`Insn`, [mk_small_numeral op; `a:num`; `b:num`; `d:num`; `l:num`; `x:num`])]) in
    Compute.add_thms [Compute.CBV_CONV dif_dispatch_cs tm] dif_compset
  end;;
(* LDxx may run as RLDxx (dif_fix) *)
let dif_prepare_text words =
  List.iter (fun w ->
    let op = w / 16777216 in
    dif_specialise_op op;
    if 28 <= op && op <= 34 then dif_specialise_op (op + 43)) words;;

(* Evaluation of one run: |- tm = s' (hypotheses v = L) *)
let dif_run_tm = ref `T`;;
let dif_eval_run tm =
  dif_clists_reset ();
  dif_run_tm := tm;
  DIF_EVAL_CONV (dif_abstract_lists tm);;
(* |- f (run) = value, closed: f applied to the run's result. Should a
   definition use one of the lists other than through nth_or, the value
   still holds its variable: then f is evaluated on the literal term. *)
let dif_eval_of run f =
  let th = TRANS (AP_TERM f run) (DIF_EVAL_CONV (mk_comb (f, rand (concl run)))) in
  let th = if frees (rand (concl th)) = [] then th
           else DIF_EVAL_CONV (mk_comb (f, !dif_run_tm)) in
  dif_close (if is_abs f then CONV_RULE (LAND_CONV BETA_CONV) th else th);;
