(* ========================================================================= *)
(* The case table: every covered instruction as named cases (guard, effect), *)
(* mirroring spec/cases.c name for name. Guards are generated as in the C    *)
(* model: a CI case's guard is its condition; a CX case's guard is "no       *)
(* earlier case's condition, and its own" (both restricted to the case's     *)
(* profiles). Each guard and effect becomes a HOL constant:                  *)
(*   dif_g_<insn>_<case> s i   and   dif_e_<effect> s i                       *)
(* ========================================================================= *)

(* ---- helper definitions the conditions and effects use ---- *)
let rup8 = ddef `rup8 n = ((n + 7) DIV 8) * 8`;;
let apad = ddef `apad s = rup8 (s_sptr s) - s_sptr s`;;
let dif_sll = ddef `dif_sll (x:int64) (c:int64) = word_shl x (val c MOD 64)`;;
let dif_srl = ddef `dif_srl (x:int64) (c:int64) = word_ushr x (val c MOD 64)`;;
let dif_sra = ddef `dif_sra (x:int64) (c:int64) = word_ishr x (val c MOD 64)`;;
let div_ovf = ddef
  `div_ovf (a:int64) (b:int64) <=>
     a = word dif_int64_min /\ b = word 18446744073709551615`;;
(* a push also writes its tuple register (slot ttop, kept after a pop,
   seen by reads past the stack top) *)
let push = ddef
  `push (v:int64) (z:int64) s =
     s_set_tslots (upd_nth (llen (s_tstack s)) (v, z) (s_tslots s))
       (s_set_tstack (CONS (v, z) (s_tstack s)) s)`;;
let pbound = ddef
  `pbound s i = if R2 s i = word 0 then 256 else val (R2 s i)`;;

(* variables: (scope, id, kind + 8 * size, value); kind bits 1 by-ref,
   2 NULL marker, 4 string *)
let vget = define
  `(vget sc id [] = (0, word 0:int64)) /\
   (vget (sc:num) (id:num) (CONS (a, b, k, v) t) =
      if a = sc /\ b = id then (k, v) else vget sc id t)`;;
incr dif_ndefs;;
let vset = define
  `(vset (sc:num) (id:num) (v:int64) [] = []) /\
   (vset sc id v (CONS (a, b, k, w) t) =
      if a = sc /\ b = id then CONS (a, b, k, v) t
      else CONS (a, b, k, w) (vset sc id v t))`;;
incr dif_ndefs;;
let vkind = ddef `vkind s sc i = FST (vget sc (i_idx i) (s_vars s)) MOD 8`;;
let vsize = ddef `vsize s sc i = FST (vget sc (i_idx i) (s_vars s)) DIV 8`;;
let vval = ddef `vval s sc i = SND (vget sc (i_idx i) (s_vars s))`;;

(* built-in variables (dif-isa.md 7.2, emulator-facts.md 5): kind 0 none,
   1 integer, 2 argN, 3 string; privilege 0 none, 1 kernel, 2 proc *)
let bkind = ddef
  `bkind p id =
     if 262 <= id /\ id <= 271 then 2 else
     if id = 256 \/ id = 257 \/ id = 258 \/ id = 260 \/ id = 261 \/
        id = 272 \/ id = 273 \/ id = 278 \/ id = 279 \/
        (282 <= id /\ id <= 288) \/ (id = 259 /\ p = 1) then 1 else
     if (274 <= id /\ id <= 277) \/ id = 280 \/ id = 281 \/ id = 289 then 3 else
     if id = 290 \/ id = 512 then (if p = 1 then 0 else 1) else
     if id = 291 then (if p = 1 then 0 else 3) else 0`;;
let bpriv = ddef
  `bpriv p id =
     if id = 256 \/ id = 278 \/ (283 <= id /\ id <= 287) then 2 else
     if id = 259 \/ id = 272 \/ id = 273 \/ id = 290 \/ id = 291 then 1 else
     if id = 280 \/ id = 288 then (if p = 1 then 2 else 0) else
     if id = 281 then (if p = 1 then 2 else 1) else 0`;;
let bk = ddef `bk s i = bkind (s_prof s) (i_idx i)`;;
let bp = ddef `bp s i = bpriv (s_prof s) (i_idx i)`;;
let bstr_room = ddef
  `bstr_room s i = MIN (alookup (i_idx i) 0 (s_bstrs s)) (s_strsize s - 1) + 1`;;

(* source class of a by-ref store (vcanload, 4.3): 0 ok, 1 KPRIV, 2 silent,
   3 BADADDR; strings are checked with strcanload bounded by strsize *)
let opt_rem = dprim option_RECURSION
  `(opt_rem (a:int64) NONE = 0) /\ (opt_rem a (SOME rg) = r_rem a rg)`;;
let cl_rem = ddef
  `cl_rem s (a:int64) =
     if in_window a then opt_rem a (find_reg (\rg. vm_obj rg /\ r_flag 2 rg) a (s_mem s))
     else opt_rem a (find_reg (cl_obj s) a (s_mem s))`;;
let vs_cls = ddef
  `vs_cls s sz st (a:int64) =
     if st then
       (if kpriv s then
          (if FST (sscan s a 0 (MIN (s_strsize s) sz)) then 0 else 3)
        else if ~canload s a 0 then 1
        else let lim = MIN (s_strsize s) (cl_rem s a) in
             if ~FST (sscan s a 0 lim) then 3
             else if cl_rem s a <= SND (sscan s a 0 lim) then 2 else 0)
     else if ~canload s a sz then 1
     else if ~readable s 0 a sz then 3 else 0`;;
let vsrc = ddef
  `vsrc s sc i = vs_cls s (vsize s sc i) (bitset (vkind s sc i) 4) (RD s i)`;;

(* ---- the table ---- *)
(* sub: the subroutine numbers of a CALL case (FreeBSD, illumos; -1 none) *)
type dif_case = { insn : string; op : int; cname : string; excl : bool;
                  profs : int; cond : string; eff : string; sub : int * int };;

let dif_effects : (string * string) list ref = ref [];;
let eff name body = dif_effects := (name, body) :: !dif_effects;;

(* effects (names as in spec/cases.c where they exist) *)
let () =
  let rdv v = "next (set_rd (i_rd i) (" ^ v ^ ") s)" in
  eff "nothing" "next s";
  eff "add" (rdv "word_add (R1 s i) (R2 s i)");
  eff "sub" (rdv "word_sub (R1 s i) (R2 s i)");
  eff "mul" (rdv "word_mul (R1 s i) (R2 s i)");
  eff "or_" (rdv "word_or (R1 s i) (R2 s i)");
  eff "xor_" (rdv "word_xor (R1 s i) (R2 s i)");
  eff "and_" (rdv "word_and (R1 s i) (R2 s i)");
  eff "sll" (rdv "dif_sll (R1 s i) (R2 s i)");
  eff "srl" (rdv "dif_srl (R1 s i) (R2 s i)");
  eff "sra" (rdv "dif_sra (R1 s i) (R2 s i)");
  eff "divzero" "fault 4 (word 0) (set_rd (i_rd i) (word 0) s)";
  eff "sdiv" (rdv "word_jdiv (R1 s i) (R2 s i)");
  eff "srem" (rdv "word_jrem (R1 s i) (R2 s i)");
  eff "udiv" (rdv "word_udiv (R1 s i) (R2 s i)");
  eff "urem" (rdv "word_umod (R1 s i) (R2 s i)");
  eff "not_" (rdv "word_not (R1 s i)");
  eff "mov" (rdv "R1 s i");
  eff "cmp" ("next (setcc (bit 63 (word_sub (R1 s i) (R2 s i))) (R1 s i = R2 s i) F " ^
             "(word_ult (R1 s i) (R2 s i)) s)");
  eff "tst" "next (setcc F (R1 s i = word 0) F F s)";
  eff "br_jump" "s_set_pc (i_label i) s";
  eff "ret" "s_set_status (Returned (RD s i)) s";
  eff "setx" (rdv "nth_or (word 0) (i_idx i) (s_inttab s)");
  eff "sets" (rdv "word (dif_va_strtab + i_idx i)");
  eff "rd_zero" (rdv "word 0");
  eff "illop" "fault 3 (word 0) s";
  eff "bv_illop" "fault 3 (word 0) (set_rd (i_rd i) (word 0) s)";
  eff "bv_kpriv_e" "fault 6 (word 0) (set_rd (i_rd i) (word 0) s)";
  eff "bv_upriv_e" "fault 7 (word 0) (set_rd (i_rd i) (word 0) s)";
  eff "upriv_e" "fault 7 (word 0) s";
  eff "nolwp" "fault 1 (word 0) s";
  eff "ga_nolwp" "fault 1 (word 0) (set_rd (i_rd i) (word 0) s)";
  eff "ga_args_e" (rdv "nth_or (word 0) (val (R2 s i)) (s_args s)");
  eff "bv_arg_e" (rdv "nth_or (word 0) (i_idx i - 262) (s_args s)");
  eff "bv_int_e" (rdv "alookup (i_idx i) (word 0) (s_bvars s)");
  eff "noscratch_rd0" "fault 5 (word 0) (set_rd (i_rd i) (word 0) s)";
  eff "allocs"
    ("next (set_rd (i_rd i) (word (dif_va_scratch + rup8 (s_sptr s))) " ^
     "(s_set_sptr (s_sptr s + apad s + val (R1 s i)) " ^
     "(mem_zero (word (dif_va_scratch + s_sptr s)) (apad s + val (R1 s i)) s)))");
  eff "st_bad_e" "fault 1 (RD s i) s";
  eff "st_align_e" "fault 2 (RD s i) s";
  eff "copys_bad_dst_e" "fault 1 (RD s i) s";
  eff "copys_kpriv_e" "fault 6 (R1 s i) s";
  (* the loop stores every byte, 0 from the fault on (zcopy, subr.ml) *)
  eff "copys_bad_src_e"
    "fault 1 (bad_at s 0 (R1 s i) (val (R2 s i))) (zcopy (RD s i) (R1 s i) (val (R2 s i)) s)";
  (* memmove semantics: the kernel copies backwards when the destination
     lies above the source (emulator-facts.md 4) *)
  eff "copys" ("next (mem_write (RD s i) " ^
    "(le_bytes (mem_num s 0 (R1 s i) (val (R2 s i))) (val (R2 s i))) s)");
  eff "tupoflow" "fault 8 (word 0) s";
  eff "pushtv" "next (push (RD s i) (word 0) s)";
  eff "pushtr_ctf_e" "next (push (RD s i) (R2 s i) s)";
  eff "pushtr_str_bad_e" "fault 1 (word (SND (sscan s (RD s i) 0 (pbound s i)))) s";
  eff "pushtr_str" "next (push (RD s i) (word (SND (sscan s (RD s i) 0 (pbound s i)) + 1)) s)";
  eff "popts" "next (s_set_tstack (ltl (s_tstack s)) s)";
  eff "flushts" "next (s_set_tstack [] s)";
  (* variables: by-reference storage is outside the HOL model (unsup) *)
  eff "lv_value0" (rdv "vval s 0 i");
  eff "lv_value2" (rdv "vval s 2 i");
  eff "lv_ref" "unsup 1 s";
  eff "bv_str_kernel_e" "unsup 2 s";
  eff "bv_str_copy_e" "unsup 3 s";
  eff "sv_value_e0" "next (s_set_vars (vset 0 (i_idx i) (RD s i) (s_vars s)) s)";
  eff "sv_value_e2" "next (s_set_vars (vset 2 (i_idx i) (RD s i) (s_vars s)) s)";
  eff "sv_byref" "unsup 4 s";
  eff "rld_kpriv_e" "fault 6 (R1 s i) s";
  ()
;;

let dif_table : dif_case list ref = ref [];;
let ci ?(p=3) insn op cname cond eff =
  dif_table := !dif_table @ [{insn = insn; op = op; cname = cname; excl = false; profs = p; cond = cond; eff = eff; sub = (-1, -1)}];;
let cx ?(p=3) insn op cname cond eff =
  dif_table := !dif_table @ [{insn = insn; op = op; cname = cname; excl = true; profs = p; cond = cond; eff = eff; sub = (-1, -1)}];;

let () =
  let a1 = "(val (R1 s i))" and a2 = "(val (R2 s i))" in
  let alu1 op n e = ci n op "result" "T" e in
  let shift op n e =
    ci n op "count" (a2 ^ " < 64") e; ci n op "wide" ("64 <= " ^ a2) e in
  alu1 1 "or" "or_"; alu1 2 "xor" "xor_"; alu1 3 "and" "and_";
  shift 4 "sll" "sll"; shift 5 "srl" "srl";
  ci "sub" 6 "exact" (a2 ^ " <= " ^ a1) "sub";
  ci "sub" 6 "wrap" (a1 ^ " < " ^ a2) "sub";
  ci "add" 7 "exact" (a1 ^ " + " ^ a2 ^ " < 2 EXP 64") "add";
  ci "add" 7 "wrap" ("2 EXP 64 <= " ^ a1 ^ " + " ^ a2) "add";
  ci "mul" 8 "exact" (a1 ^ " * " ^ a2 ^ " < 2 EXP 64") "mul";
  ci "mul" 8 "wrap" ("2 EXP 64 <= " ^ a1 ^ " * " ^ a2) "mul";
  let z = "R2 s i = word 0" and ov = "div_ovf (R1 s i) (R2 s i)" in
  ci "sdiv" 9 "divzero" z "divzero";
  ci "sdiv" 9 "overflow" ov "divzero";
  ci "sdiv" 9 "quotient" ("~(" ^ z ^ ") /\\ ~(" ^ ov ^ ")") "sdiv";
  ci "udiv" 10 "divzero" z "divzero";
  ci "udiv" 10 "quotient" ("~(" ^ z ^ ")") "udiv";
  ci "srem" 11 "divzero" z "divzero";
  ci "srem" 11 "overflow" ov "divzero";
  ci "srem" 11 "remainder" ("~(" ^ z ^ ") /\\ ~(" ^ ov ^ ")") "srem";
  ci "urem" 12 "divzero" z "divzero";
  ci "urem" 12 "remainder" ("~(" ^ z ^ ")") "urem";
  alu1 13 "not" "not_"; alu1 14 "mov" "mov";
  ci "cmp" 15 "equal" "R1 s i = R2 s i" "cmp";
  ci "cmp" 15 "below" "word_ult (R1 s i) (R2 s i)" "cmp";
  ci "cmp" 15 "above" "word_ugt (R1 s i) (R2 s i)" "cmp";
  ci "tst" 16 "zero" "R1 s i = word 0" "tst";
  ci "tst" 16 "nonzero" "~(R1 s i = word 0)" "tst";
  ci "ba" 17 "taken" "T" "br_jump";
  let nv = "~(s_ccn s <=> s_ccv s)" in
  let branch op n pred =
    ci n op "taken" pred "br_jump"; ci n op "not-taken" ("~(" ^ pred ^ ")") "nothing" in
  branch 18 "be" "s_ccz s";
  branch 19 "bne" "~s_ccz s";
  branch 20 "bg" ("~(s_ccz s \\/ " ^ nv ^ ")");
  branch 21 "bgu" "~(s_ccc s \\/ s_ccz s)";
  branch 22 "bge" ("~(" ^ nv ^ ")");
  branch 23 "bgeu" "~s_ccc s";
  branch 24 "bl" nv;
  branch 25 "blu" "s_ccc s";
  branch 26 "ble" ("s_ccz s \\/ " ^ nv);
  branch 27 "bleu" "s_ccc s \\/ s_ccz s";
  (* loads: width and extension by opcode *)
  let lw = [| 1; 2; 4; 1; 2; 4; 8 |] in
  let ld base sp names =
    List.iteri (fun k n ->
      let w = string_of_int lw.(k) and sg = if k < 3 then "T" else "F" in
      let op = base + k in
      let rd = "readable s " ^ sp ^ " (R1 s i) " ^ w in
      let effn = n ^ "_e" and badn = "ld_fault_" ^ sp ^ "_" ^ w in
      eff effn ("next (set_rd (i_rd i) (ext " ^ sg ^ " " ^ w ^ " (mem_num s " ^ sp ^
                " (R1 s i) " ^ w ^ ")) s)");
      eff badn ("fault 1 (bad_at s " ^ sp ^ " (R1 s i) " ^ w ^
                ") (set_rd (i_rd i) (word 0) s)");
      if base = 71 then begin
        let cl = "canload s (R1 s i) " ^ w in
        ci n op "kpriv" ("~" ^ cl) "rld_kpriv_e";
        ci n op "badaddr" (cl ^ " /\\ ~" ^ rd) badn;
        ci n op "load" (cl ^ " /\\ " ^ rd) effn
      end else begin
        ci n op "badaddr" ("~" ^ rd) badn;
        ci n op "load" rd effn
      end) names in
  ld 28 "0" ["ldsb"; "ldsh"; "ldsw"; "ldub"; "lduh"; "lduw"; "ldx"];
  ci "ret" 35 "return" "T" "ret";
  ci "nop" 36 "nop" "T" "nothing";
  ci "setx" 37 "load" "T" "setx";
  ci "sets" 38 "address" "T" "sets";
  (* 2.7: built-in arrays *)
  let aid = "i_r1 i" in
  cx "ldga" 40 "args" (aid ^ " = 0 /\\ " ^ a2 ^ " < 10") "ga_args_e";
  cx "ldga" 40 "args-beyond" (aid ^ " = 0") "rd_zero";
  cx "ldga" 40 "regs" (aid ^ " = 1") "bv_illop";
  cx "ldga" 40 "uregs-upriv" (aid ^ " = 2 /\\ ~ppriv s") "bv_upriv_e";
  cx "ldga" 40 "uregs-nolwp" (aid ^ " = 2") "ga_nolwp";
  cx ~p:2 "ldga" 40 "vmregs-kpriv" (aid ^ " = 3 /\\ ~kpriv s") "bv_kpriv_e";
  cx ~p:2 "ldga" 40 "vmregs-novm" (aid ^ " = 3") "bv_illop";
  cx "ldga" 40 "unknown" "T" "bv_illop";
  (* scalar variables *)
  let user = "1280 <= i_idx i" and bi = "i_idx i < 1280" in
  let lvuser n op sc =
    let vk = "vkind s " ^ sc ^ " i" in
    cx n op "user-value" (user ^ " /\\ ~bitset (" ^ vk ^ ") 1") ("lv_value" ^ sc);
    cx n op "user-null" (user ^ " /\\ bitset (" ^ vk ^ ") 1 /\\ bitset (" ^ vk ^ ") 2") "rd_zero";
    cx n op "user-ref" (user ^ " /\\ bitset (" ^ vk ^ ") 1 /\\ ~bitset (" ^ vk ^ ") 2") "lv_ref" in
  lvuser "ldgs" 41 "0";
  cx "ldgs" 41 "unknown" (bi ^ " /\\ bk s i = 0") "bv_illop";
  cx "ldgs" 41 "kpriv" (bi ^ " /\\ ~(bk s i = 0) /\\ bp s i = 1 /\\ ~kpriv s") "bv_kpriv_e";
  cx "ldgs" 41 "upriv" (bi ^ " /\\ ~(bk s i = 0) /\\ bp s i = 2 /\\ ~ppriv s") "bv_upriv_e";
  cx "ldgs" 41 "arg" (bi ^ " /\\ bk s i = 2") "bv_arg_e";
  cx "ldgs" 41 "int" (bi ^ " /\\ bk s i = 1") "bv_int_e";
  cx "ldgs" 41 "str-kernel" (bi ^ " /\\ bk s i = 3 /\\ kpriv s") "bv_str_kernel_e";
  cx "ldgs" 41 "str-null" (bi ^ " /\\ bk s i = 3 /\\ ~amem (i_idx i) (s_bstrs s)") "rd_zero";
  (* emulator-facts.md 1: the copy needs strlen + 1 bytes, not strsize *)
  cx "ldgs" 41 "str-noscratch"
    (bi ^ " /\\ bk s i = 3 /\\ s_ssize s - s_sptr s < bstr_room s i") "noscratch_rd0";
  cx "ldgs" 41 "str-copy" (bi ^ " /\\ bk s i = 3") "bv_str_copy_e";
  let svstore n op sc =
    let vk = "vkind s " ^ sc ^ " i" and vs = "vsrc s " ^ sc ^ " i" in
    cx n op "value" ("~bitset (" ^ vk ^ ") 1") ("sv_value_e" ^ sc);
    cx n op "null" ("bitset (" ^ vk ^ ") 1 /\\ RD s i = word 0") "sv_byref";
    cx n op "kpriv" (vs ^ " = 1") "sv_byref";
    cx n op "silent" (vs ^ " = 2") "sv_byref";
    cx n op "badaddr" (vs ^ " = 3") "sv_byref";
    cx n op "copy" "T" "sv_byref" in
  svstore "stgs" 42 "0";
  ci "ldta" 43 "illop" "T" "bv_illop";
  shift 46 "sra" "sra";
  (* 2.8: tuple stack *)
  let full = "8 <= llen (s_tstack s)" in
  cx "pushtr" 48 "overflow" full "tupoflow";
  cx "pushtr" 48 "ctf-illop" ("i_r1 i = 0 /\\ dif_int64_min <= " ^ a2) "illop";
  cx "pushtr" 48 "ctf" "i_r1 i = 0" "pushtr_ctf_e";
  cx "pushtr" 48 "string-badaddr" "~FST (sscan s (RD s i) 0 (pbound s i))" "pushtr_str_bad_e";
  cx "pushtr" 48 "string" "T" "pushtr_str";
  ci "pushtv" 49 "overflow" full "tupoflow";
  ci "pushtv" 49 "push" "llen (s_tstack s) < 8" "pushtv";
  ci "popts" 50 "empty" "llen (s_tstack s) = 0" "nothing";
  ci "popts" 50 "pop" "~(llen (s_tstack s) = 0)" "popts";
  ci "flushts" 51 "flush" "T" "flushts";
  (* clause-locals *)
  cx "ldls" 56 "builtin-zero" bi "rd_zero";
  lvuser "ldls" 56 "2";
  svstore "stls" 57 "2";
  (* 2.5 *)
  let tot = "apad s + " ^ a1 in
  ci "allocs" 58 "noscratch" ("2 EXP 64 <= " ^ tot ^ " \\/ s_ssize s - s_sptr s < " ^ tot)
    "noscratch_rd0";
  ci "allocs" 58 "alloc" ("~(2 EXP 64 <= " ^ tot ^ ") /\\ " ^ tot ^ " <= s_ssize s - s_sptr s")
    "allocs";
  let cs = "canstore s (RD s i) " ^ a2 and cl = "canload s (R1 s i) " ^ a2 in
  let rs = "readable s 0 (R1 s i) " ^ a2 in
  ci "copys" 59 "badaddr-dst" ("~" ^ cs) "copys_bad_dst_e";
  ci "copys" 59 "kpriv" (cs ^ " /\\ ~" ^ cl) "copys_kpriv_e";
  ci "copys" 59 "badaddr-src" (cs ^ " /\\ " ^ cl ^ " /\\ ~(" ^ a2 ^ " = 0) /\\ ~" ^ rs)
    "copys_bad_src_e";
  ci "copys" 59 "copy" (cs ^ " /\\ " ^ cl ^ " /\\ (" ^ a2 ^ " = 0 \\/ " ^ rs ^ ")") "copys";
  List.iteri (fun k n ->
    let w = string_of_int (1 lsl k) and op = 60 + k in
    let cs = "canstore s (RD s i) " ^ w in
    let effn = "st" ^ w in
    eff effn ("next (mem_write (RD s i) (le_bytes (val (R1 s i)) " ^ w ^ ") s)");
    ci n op "badaddr" ("~" ^ cs) "st_bad_e";
    if k > 0 then begin
      ci n op "badalign" (cs ^ " /\\ ~(val (RD s i) MOD " ^ w ^ " = 0)") "st_align_e";
      ci n op "store" (cs ^ " /\\ val (RD s i) MOD " ^ w ^ " = 0") effn
    end else ci n op "store" cs effn) ["stb"; "sth"; "stw"; "stx"];
  ld 64 "1" ["uldsb"; "uldsh"; "uldsw"; "uldub"; "ulduh"; "ulduw"; "uldx"];
  ld 71 "0" ["rldsb"; "rldsh"; "rldsw"; "rldub"; "rlduh"; "rlduw"; "rldx"];
  (* 2.7: illumos stga *)
  cx ~p:2 "stga" 80 "uregs-nodestructive" (aid ^ " = 2 /\\ bitset (s_deny s) 8") "nothing";
  cx ~p:2 "stga" 80 "uregs-upriv"
    (aid ^ " = 2 /\\ (bitset (s_deny s) 2 \\/ bitset (s_deny s) 4)") "upriv_e";
  cx ~p:2 "stga" 80 "uregs-nolwp" (aid ^ " = 2") "nolwp";
  cx ~p:2 "stga" 80 "illop" "T" "illop"
;;

(* files loaded from here end by adding their name to dif_loaded: one that
   stops early counts as a failure of ./dev hol *)
let dif_loaded = ref ([]:string list);;
let dif_load f =
  loadt (dif_dir ^ "/" ^ f);
  if not (mem f !dif_loaded) then dif_fail f (Failure "did not load completely");;
(* subroutines (CALL, dif-isa.md 6): their rows and helpers *)
dif_load "subr.ml";;
(* dynamic variables (ldts, stts, ldgaa, ldtaa, stgaa, sttaa) *)
dif_load "dyn.ml";;
(* scmp *)
dif_load "scmp.ml";;
(* string subroutines (strlen, strchr, strrchr, toupper, ...) *)
dif_load "strs.ml";;

(* ---- definitions: one constant per guard and per effect ---- *)
let dif_ident s = String.map (fun c -> if c = '-' then '_' else c) s;;
let gname c = "dif_g_" ^ dif_ident c.insn ^ "_" ^ dif_ident c.cname;;
let ename e = "dif_e_" ^ e;;

let prof_cond p = match p with
  | 3 -> "T" | 1 -> "~(s_prof s = 1)" | _ -> "s_prof s = 1";;

let dif_effect_defs =
  let rec uniq acc = function
    | [] -> rev acc
    | (n, b) :: t -> if List.mem_assoc n acc then uniq acc t else uniq ((n, b) :: acc) t in
  map (fun (n, body) ->
    n, ddef (parse_term (ename n ^ " (s:dif_state) (i:dif_insn) = (" ^ body ^ ")")))
    (uniq [] (rev !dif_effects));;

let dif_guard_defs =
  let tbl = !dif_table in
  map (fun c ->
    let earlier = filter (fun d -> d.insn = c.insn) tbl in
    let rec before_c = function
      | [] -> [] | d :: t -> if d == c then [] else d :: before_c t in
    let prev = if c.excl then before_c earlier else [] in
    let negs = map (fun d ->
      if d.profs = 3 then "~(" ^ d.cond ^ ")"
      else "(" ^ prof_cond d.profs ^ " ==> ~(" ^ d.cond ^ "))") prev in
    let parts = (if c.profs = 3 then [] else [prof_cond c.profs]) @ negs @
                ["(" ^ c.cond ^ ")"] in
    let body = String.concat " /\\ " parts in
    c, ddef (parse_term (gname c ^ " (s:dif_state) (i:dif_insn) <=> " ^ body))) tbl;;

(* instructions in table order, with their cases *)
let dif_insns =
  let rec uniq acc = function
    | [] -> rev acc
    | x :: t -> if mem x acc then uniq acc t else uniq (x :: acc) t in
  let names = uniq [] (map (fun c -> c.insn)
    (List.stable_sort (fun a b -> compare a.op b.op) !dif_table)) in
  map (fun n -> n, filter (fun c -> c.insn = n) !dif_table) names;;

(* ---- step: per instruction, the effect of the case whose guard holds ---- *)
let dif_insn_defs =
  map (fun (n, cs) ->
    let body = itlist (fun c acc ->
      "if " ^ gname c ^ " s i then " ^ ename c.eff ^ " s i else " ^ acc) cs "unsup 9 s" in
    n, ddef (parse_term ("dif_s_" ^ dif_ident n ^ " s i = " ^ body))) dif_insns;;

(* LDxx run as RLDxx without kernel visibility (dif-isa.md 2.4, 5.1) *)
let dif_fix = dprim dif_insn_RECURSION
  `dif_fix s (Insn p a b d l x) =
     if 28 <= p /\ p <= 34 /\ ~kpriv s then Insn (p + 43) a b d l x
     else Insn p a b d l x`;;
(* CALL: the subroutine by its number on the profile; others unsup 5 *)
let dif_s_call =
  let subr_test (fb, il) =
    if fb = il then "i_idx i = " ^ string_of_int fb
    else String.concat " \\/ "
      ((if fb < 0 then [] else ["~(s_prof s = 1) /\\ i_idx i = " ^ string_of_int fb]) @
       (if il < 0 then [] else ["s_prof s = 1 /\\ i_idx i = " ^ string_of_int il])) in
  let body = itlist (fun (n, cs) acc ->
    if (hd cs).op <> 47 then acc else
    "if " ^ subr_test (hd cs).sub ^ " then dif_s_" ^ dif_ident n ^ " s i else " ^ acc)
    dif_insns "unsup 5 s" in
  ddef (parse_term ("dif_s_call s i = " ^ body));;
let dif_dispatch =
  let body = itlist (fun (n, cs) acc ->
    if (hd cs).op = 47 then acc else
    "if i_op i = " ^ string_of_int (hd cs).op ^ " then dif_s_" ^ dif_ident n ^
    " s i else " ^ acc) dif_insns "unsup 0 s" in
  ddef (parse_term ("dif_dispatch s i = if i_op i = 47 then dif_s_call s i else " ^ body));;
let dif_step = ddef `dif_step s w = dif_dispatch s (dif_fix s (dif_decode w))`;;

let running = dprim dif_status_RECURSION
  `(running Running <=> T) /\ (running (Returned v) <=> F) /\
   (running (Faulted c a p) <=> F) /\ (running (Unsup n) <=> F)`;;
let dif_exec = define
  `dif_exec text n s =
     if n = 0 then s
     else if running (s_status s)
     then dif_exec text (n - 1) (dif_step s (nth_or 0 (s_pc s) text))
     else s`;;
incr dif_ndefs;;
(* the ten tuple registers (eight plus two internal), zero at the start *)
let tslots0 = ddef
  `tslots0 = [(word 0, word 0); (word 0, word 0); (word 0, word 0);
     (word 0, word 0); (word 0, word 0); (word 0, word 0); (word 0, word 0);
     (word 0, word 0); (word 0, word 0); (word 0, word 0):int64#int64]`;;
(* between runs: registers, flags, pc, tuple stack (and its slots) and
   scratch pointer reset; variables, memory and the drop count persist *)
let dif_reset = ddef
  `dif_reset s = s_set_status Running (s_set_pc 0 (s_set_tstack []
     (s_set_sptr 0 (setcc F F F F (s_set_regs
       [word 0; word 0; word 0; word 0; word 0; word 0; word 0; word 0]
       (s_set_tslots tslots0 s))))))`;;
let dif_runs = define
  `dif_runs text k fuel s =
     if k <= 1 then dif_exec text fuel s
     else dif_runs text (k - 1) fuel (dif_reset (dif_exec text fuel s))`;;
incr dif_ndefs;;


(* ---- listings for ./dev hol: the case names (compared with the C model)
   and the coverage table of docs/spec-hol.md ---- *)
let dif_guard_only c = mem c.eff ["lv_ref"; "bv_str_kernel_e"; "bv_str_copy_e"; "sv_byref";
  "dl_ref_e"; "ds_byref_e"];;
let dif_write_cases path =
  let oc = open_out path in
  List.iter (fun c -> Printf.fprintf oc "%s %s\n" c.insn c.cname) !dif_table;
  close_out oc;;
let dif_write_coverage path =
  let oc = open_out path in
  Printf.fprintf oc "| instruction | opcode | cases in HOL (guard and effect) | guard only (effect outside the theory) |\n| --- | --- | --- | --- |\n";
  List.iter (fun (n, cs) ->
    let full = filter (fun c -> not (dif_guard_only c)) cs
    and part = filter dif_guard_only cs in
    let names l = if l = [] then "-" else String.concat ", " (map (fun c -> c.cname) l) in
    let c0 = hd cs in
    let ins = if c0.op = 47 then "call " ^ n else n in
    let num k = if k < 0 then "-" else string_of_int k in
    let op = if c0.op = 47 then Printf.sprintf "47 (subr %s/%s)" (num (fst c0.sub)) (num (snd c0.sub))
             else string_of_int c0.op in
    Printf.fprintf oc "| `%s` | %s | %s | %s |\n" ins op (names full) (names part))
    dif_insns;
  close_out oc;;
