(* ========================================================================= *)
(* Dynamic variables: thread-locals (ldts, stts) and associative-array       *)
(* elements (ldgaa, ldtaa, stgaa, sttaa), dif-isa.md 2.7, 2.8 and            *)
(* docs/conventions.md 3. Loaded by cases.ml inside the case table; the      *)
(* cases mirror spec/cases.c (DLOAD, DLOADB, DSTORE, DSTOREB) name for name. *)
(*                                                                           *)
(* The key is the tuple stack (assoc forms, bottom first), then var - 0x500, *)
(* then the thread key (thread-local forms); every entry is (value, size),  *)
(* size 0 by value, else size bytes at value (by reference). An element     *)
(* keeps its key entries with the bytes of the by-ref ones, so later lookups *)
(* compare contents. One live element takes one chunk of the arena:         *)
(* chunk = 160 + 9 * round_up(strsize, 8) bytes, dynsz / chunk chunks. A     *)
(* store that needs a new element which does not fit is a drop: no fault,    *)
(* the drop count goes up. The key entries after the tuple are written into  *)
(* the tuple array (slots ttop.., or 8 and 9 for ldts/stts), where reads     *)
(* past the stack top see them.                                              *)
(* ========================================================================= *)

(* definitions the evaluator needs besides the generated guards/effects *)
let dif_dyn_defs = ref ([]:thm list);;
let dd th = (dif_dyn_defs := th :: !dif_dyn_defs; th);;

(* the thread key (dif-isa.md 2.7): the case's own when given, else the
   thread id (built-in tid, 0x117) + 0xffff, kept to 61 bits (the top 3
   bits carry the interrupt level, 0 here) *)
let dif_thread_key = dd (ddef
  `dif_thread_key (tk:int64) (bv:(num#int64) list) =
     if tk = word 0
     then word ((val (alookup 279 (word 0:int64) bv) + 65535) MOD 2 EXP 61)
     else tk`);;

(* (a test the evaluator reduces, unlike an equation between options) *)
let isnone = dd (dprim option_RECURSION
  `(isnone (NONE:A option) <=> T) /\ (isnone (SOME (x:A)) <=> F)`);;
let odflt = dd (dprim option_RECURSION
  `(odflt (d:A) NONE = d) /\ (odflt d (SOME x) = x)`);;

(* assoc forms and thread-local forms; the variable's scope *)
let dassoc = dd (ddef `dassoc op <=> 52 <= op /\ op <= 55`);;
let dthr = dd (ddef `dthr op <=> op = 44 \/ op = 45 \/ op = 53 \/ op = 55`);;
let dsc = dd (ddef `dsc i = if dthr (i_op i) then 1 else 0`);;

(* the key entries after the tuple, and the whole key *)
let dext = dd (ddef
  `dext s i = CONS (word (i_idx i - 1280):int64, word 0:int64)
                (if dthr (i_op i) then [(s_tkey s, word 0)] else [])`);;
let dkeys = dd (ddef
  `dkeys s i = APPEND (if dassoc (i_op i) then REVERSE (s_tstack s) else [])
                      (dext s i)`);;

(* key checks (dif-isa.md 2.7, 4.1): every by-ref entry must pass canload
   (KPRIV, illval its address), then be readable (BADADDR, illval its first
   unreadable byte) *)
let dk_kp = dd (drec
  `(dk_kp s [] = NONE) /\
   (dk_kp s (CONS (v:int64, z:int64) t) =
      if ~(z = word 0) /\ ~canload s v (val z) then SOME v else dk_kp s t)`);;
(* the first byte of [a, +r) that cannot be read alone, a0 if none; a run
   of bytes inside one object (and clear of toxic ranges) is skipped whole.
   f bounds the steps (each step passes at least one byte: f = r is enough) *)
let bfirst = define
  `bfirst s (a0:int64) (a:int64) r f =
     if f = 0 \/ r = 0 then a0 else
     if ~readable s 0 a 1 then a else
     let m = MIN (opt_rem a (reg_for s 0 a 1)) r in
     if 1 < m /\ val a + m < 2 EXP 64 /\ (in_window a \/ ~any_toxic 0 a m (s_mem s))
     then bfirst s a0 (word_add a (word m)) (r - m) (f - 1)
     else bfirst s a0 (word_add a (word 1)) (r - 1) (f - 1)`;;
incr dif_ndefs;;
ignore (dd bfirst);;
let dk_rd = dd (drec
  `(dk_rd s [] = NONE) /\
   (dk_rd s (CONS (v:int64, z:int64) t) =
      if ~(z = word 0) /\ ~readable s 0 v (val z) then SOME (bfirst s v v (val z) (val z))
      else dk_rd s t)`);;

(* an element's key matches: same sizes, by-value entries equal, by-ref
   entries readable with the same bytes *)
let kmatch = dd (drec
  `(kmatch s [] ([]:(int64#int64#num) list) <=> T) /\
   (kmatch s [] (CONS e l) <=> F) /\
   (kmatch s (CONS (v:int64, z:int64) t) [] <=> F) /\
   (kmatch s (CONS (v, z) t) (CONS (v', z', c) t') <=>
      z = z' /\
      (if z = word 0 then v = v'
       else readable s 0 v (val z) /\ mem_num s 0 v (val z) = c) /\
      kmatch s t t')`);;
let dfind = dd (drec
  `(dfind s ks ([]:((int64#int64#num) list # int64) list) = NONE) /\
   (dfind s ks (CONS (k, x) t) = if kmatch s ks k then SOME x else dfind s ks t)`);;
(* a new element's key: by-ref entries keep their bytes *)
let kstore = dd (drec
  `(kstore s [] = []) /\
   (kstore s (CONS (v:int64, z:int64) t) =
      CONS (v, z, if z = word 0 then 0 else mem_num s 0 v (val z)) (kstore s t))`);;
(* store (create at the end, or overwrite), keep (create with 0 data if
   missing), delete (every match: there is at most one, as keys are only
   added when missing) *)
let dput = dd (drec
  `(dput s ks (x:int64) [] = [(kstore s ks, x)]) /\
   (dput s ks x (CONS (k, y) t) =
      if kmatch s ks k then CONS (k, x) t else CONS (k, y) (dput s ks x t))`);;
let dkeep = dd (drec
  `(dkeep s ks [] = [(kstore s ks, word 0:int64)]) /\
   (dkeep s ks (CONS (k, y) t) =
      if kmatch s ks k then CONS (k, y) t else CONS (k, y) (dkeep s ks t))`);;
(* by primitive recursion with FST, then the equations in the form of the
   others: define's termination proof of the pattern form ran for minutes
   once the state became a tuple (drecord) *)
let ddel =
  let d = dprim list_RECURSION
    `(ddel s ks ([]:((int64#int64#num) list # int64) list) = []) /\
     (ddel s ks (CONS (e:(int64#int64#num) list # int64) t) =
        if kmatch s ks (FST e) then ddel s ks t else CONS e (ddel s ks t))` in
  dd (prove
   (`(ddel s ks ([]:((int64#int64#num) list # int64) list) = []) /\
     (ddel s ks (CONS (k, y) t) =
        if kmatch s ks k then ddel s ks t else CONS (k, y) (ddel s ks t))`,
    REWRITE_TAC[d; FST]));;

(* arena accounting (docs/conventions.md 3) *)
let kbytes = dd (drec
  `(kbytes [] = 0) /\
   (kbytes (CONS (v:int64, z:int64) t) =
      (if z = word 0 then 0 else rup8 (val z)) + kbytes t)`);;
let dsz = dd (ddef `dsz s i = rup8 (MAX (vsize s (dsc i) i) 8)`);;
let dchunk = dd (ddef `dchunk s = 160 + 9 * rup8 (s_strsize s)`);;
let dneed = dd (ddef
  `dneed s i = 16 * llen (dkeys s i) + kbytes (dkeys s i) + dsz s i`);;
let dcan = dd (ddef
  `dcan s i <=> dneed s i <= dchunk s /\
                llen (s_dvars s) < s_dynsz s DIV dchunk s`);;
let dget = dd (ddef `dget s i = dfind s (dkeys s i) (s_dvars s)`);;

(* the key entries after the tuple go into the tuple array *)
let tput = dd (drec
  `(tput k [] (arr:(int64#int64) list) = arr) /\
   (tput k (CONS e t) arr = tput (k + 1) t (upd_nth k e arr))`);;
let dtslots = dd (ddef
  `dtslots s i = s_set_tslots (tput (if dassoc (i_op i) then llen (s_tstack s) else 8)
                                   (dext s i) (s_tslots s)) s`);;

let () =
  let ks = "(dkeys s i)" and ts = "(dtslots s i)" in
  eff "dk_kpriv_e" ("fault 6 (odflt (word 0) (dk_kp s " ^ ks ^ ")) (set_rd (i_rd i) (word 0) " ^ ts ^ ")");
  eff "dk_bad_e" ("fault 1 (odflt (word 0) (dk_rd s " ^ ks ^ ")) (set_rd (i_rd i) (word 0) " ^ ts ^ ")");
  eff "dk_kpriv_st" ("fault 6 (odflt (word 0) (dk_kp s " ^ ks ^ ")) " ^ ts);
  eff "dk_bad_st" ("fault 1 (odflt (word 0) (dk_rd s " ^ ks ^ ")) " ^ ts);
  eff "dl_missing_e" ("next (set_rd (i_rd i) (word 0) " ^ ts ^ ")");
  eff "dl_value_e" ("next (set_rd (i_rd i) (odflt (word 0) (dget s i)) " ^ ts ^ ")");
  (* by-ref element data (an address in the arena) is outside the theory *)
  eff "dl_ref_e" "unsup 6 s";
  eff "ds_delete_e" ("next (s_set_dvars (ddel s " ^ ks ^ " (s_dvars s)) " ^ ts ^ ")");
  eff "ds_drop_e" ("next (s_set_drops (s_drops s + 1) " ^ ts ^ ")");
  eff "ds_value_e" ("next (s_set_dvars (dput s " ^ ks ^ " (RD s i) (s_dvars s)) " ^ ts ^ ")");
  eff "ds_kpriv_e" ("fault 6 (RD s i) (s_set_dvars (dkeep s " ^ ks ^ " (s_dvars s)) " ^ ts ^ ")");
  eff "ds_silent_e" ("next (s_set_dvars (dkeep s " ^ ks ^ " (s_dvars s)) " ^ ts ^ ")");
  eff "ds_byref_e" "unsup 7 s";
  let bref = "bitset (vkind s (dsc i) i) 1" and vs = "vsrc s (dsc i) i" in
  let missing = "isnone (dget s i)" in
  let keychecks n op ld =
    cx n op "key-kpriv" ("~isnone (dk_kp s " ^ ks ^ ")") (if ld then "dk_kpriv_e" else "dk_kpriv_st");
    cx n op "key-badaddr" ("~isnone (dk_rd s " ^ ks ^ ")") (if ld then "dk_bad_e" else "dk_bad_st") in
  let dload n op =
    cx n op "missing" missing "dl_missing_e";
    cx n op "value" ("~" ^ bref) "dl_value_e";
    cx n op "ref" "T" "dl_ref_e" in
  let dstore n op =
    cx n op "delete" "RD s i = word 0" "ds_delete_e";
    cx n op "drop" (missing ^ " /\\ ~dcan s i") "ds_drop_e";
    cx n op "store-value" ("~" ^ bref) "ds_value_e";
    cx n op "store-kpriv" (vs ^ " = 1") "ds_kpriv_e";
    cx n op "store-silent" (vs ^ " = 2") "ds_silent_e";
    cx n op "store-badaddr" (vs ^ " = 3") "ds_byref_e";
    cx n op "store-copy" "T" "ds_byref_e" in
  dload "ldts" 44;
  dstore "stts" 45;
  keychecks "ldgaa" 52 true; dload "ldgaa" 52;
  keychecks "ldtaa" 53 true; dload "ldtaa" 53;
  keychecks "stgaa" 54 false; dstore "stgaa" 54;
  keychecks "sttaa" 55 false; dstore "sttaa" 55;;

dif_loaded := "dyn.ml" :: !dif_loaded;;
