(* ========================================================================= *)
(* Tests derived from the theory (HOL-TestGen style, Campbell and Stark's    *)
(* state generation), for every case of every covered instruction.           *)
(*                                                                           *)
(* A test template is a program (a prologue that loads the symbolic values  *)
(* x, y, z from the integer table into r1, r2, r3, maybe pushes, allocates   *)
(* or stores, then the instruction under test at pc K, then a return) and a *)
(* state (profile, withheld privileges, strsize, scratch size, dynamic       *)
(* variable space, memory regions with their rights, variables, built-ins). *)
(* The prologue is evaluated in HOL with x, y, z left free: the state at pc *)
(* K gives the template's facts (s_<field> s = value). The case's guard,     *)
(* rewritten with the definitions and those facts (conditionals lifted,      *)
(* numerals reduced), then put in disjunctive normal form, gives one test    *)
(* goal per disjunct, plus boundary goals (each inequality made tight).     *)
(* Each goal becomes an SMT-LIB bit-vector problem over x, y, z; z3 (or     *)
(* DIF_SMT=cvc5) finds values; HOL evaluates the guard on the concrete      *)
(* state at pc K (it must hold: the test reaches its case) and the whole    *)
(* program for the expected outcome. Where a guard scans memory with a      *)
(* length that stays symbolic, the template pins the values instead (the    *)
(* goal is then the guard itself, evaluated).                               *)
(*                                                                           *)
(* Output: one line per test for hol-corpus derive, NAME|OUTCOME|REQUEST,    *)
(* REQUEST being the runtime request (server.ml) with ';' between lines.    *)
(* At most DIF_HOL_DERIVE_K tests per case are evaluated (default 1;        *)
(* DIF_HOL_DERIVE_ALL=1: every solved goal). Every case of the table gets a *)
(* test or is in dif_derive_excluded with its reason; any other case       *)
(* without a test fails ./dev hol (with DIF_HOL_DERIVE).                   *)
(* ========================================================================= *)

let smt_solver = try Sys.getenv "DIF_SMT" with Not_found -> "z3";;
let dif_derive_k =
  if (try Sys.getenv "DIF_HOL_DERIVE_ALL" = "1" with Not_found -> false) then max_int
  else try int_of_string (Sys.getenv "DIF_HOL_DERIVE_K") with _ -> 1;;

(* ---- time limits (a rewrite or a scan that does not settle is skipped) ---- *)
exception Dif_timeout;;
let dif_timed secs f x =
  let old = Sys.signal Sys.sigalrm (Sys.Signal_handle (fun _ -> raise Dif_timeout)) in
  let stop () = ignore (Unix.alarm 0); Sys.set_signal Sys.sigalrm old in
  ignore (Unix.alarm secs);
  try let r = f x in stop (); r with e -> stop (); raise e;;

(* ---- SMT-LIB: every number and word as a 130-bit vector ---- *)
let dif_sym_vars = [`x:int64`; `y:int64`; `z:int64`];;
let bv n = "(_ bv" ^ Num.string_of_num n ^ " 130)";;
let pow2 k = Num.power_num (Num.num_of_int 2) (Num.num_of_int k);;
let word_bits ty = Num.int_of_num (dest_finty (hd (snd (dest_type ty))));;
let rec smt_of t =
  let bin op a b = "(" ^ op ^ " " ^ smt_of a ^ " " ^ smt_of b ^ ")" in
  let wmod ty e = "(bvurem " ^ e ^ " " ^ bv (pow2 (word_bits ty)) ^ ")" in
  if t = `T` then "true" else if t = `F` then "false" else
  if is_var t && mem t dif_sym_vars then fst (dest_var t) else
  if is_numeral t then bv (dest_numeral t) else
  if is_neg t then "(not " ^ smt_of (dest_neg t) ^ ")" else
  if is_conj t then let a, b = dest_conj t in bin "and" a b else
  if is_disj t then let a, b = dest_disj t in bin "or" a b else
  if is_imp t then let a, b = dest_imp t in bin "=>" a b else
  if is_cond t then
    let b, (p, q) = dest_cond t in
    "(ite " ^ smt_of b ^ " " ^ smt_of p ^ " " ^ smt_of q ^ ")" else
  match strip_comb t with
  | c, [a] when is_const c ->
      (match fst (dest_const c) with
       | "word" -> wmod (type_of t) (smt_of a)
       | "val" -> smt_of a
       | "SUC" -> "(bvadd " ^ smt_of a ^ " " ^ bv (Num.num_of_int 1) ^ ")"
       | "word_not" -> "(bvsub " ^ bv (Num.sub_num (pow2 (word_bits (type_of t))) (Num.num_of_int 1)) ^
                       " " ^ smt_of a ^ ")"
       | n -> failwith ("smt_of: " ^ n))
  | c, [a; b] when is_const c ->
      let ty = type_of a in
      (match fst (dest_const c) with
       | "=" -> bin "=" a b
       | "+" -> bin "bvadd" a b | "*" -> bin "bvmul" a b
       | "-" -> "(ite (bvule " ^ smt_of b ^ " " ^ smt_of a ^ ") " ^ bin "bvsub" a b ^ " " ^
                bv (Num.num_of_int 0) ^ ")"
       | "DIV" -> bin "bvudiv" a b | "MOD" -> bin "bvurem" a b
       | "<" -> bin "bvult" a b | "<=" -> bin "bvule" a b
       | ">" -> bin "bvugt" a b | ">=" -> bin "bvuge" a b
       | "MIN" -> "(ite (bvule " ^ smt_of a ^ " " ^ smt_of b ^ ") " ^ smt_of a ^ " " ^ smt_of b ^ ")"
       | "MAX" -> "(ite (bvule " ^ smt_of a ^ " " ^ smt_of b ^ ") " ^ smt_of b ^ " " ^ smt_of a ^ ")"
       | "word_add" -> wmod ty (bin "bvadd" a b)
       | "word_sub" -> wmod ty ("(bvsub (bvadd " ^ smt_of a ^ " " ^ bv (pow2 (word_bits ty)) ^
                                ") " ^ smt_of b ^ ")")
       | "word_mul" -> wmod ty (bin "bvmul" a b)
       | "word_and" -> bin "bvand" a b | "word_or" -> bin "bvor" a b
       | "word_xor" -> bin "bvxor" a b
       | "word_shl" -> wmod (type_of t) (bin "bvshl" a b)
       | "word_ushr" -> bin "bvlshr" a b
       | "word_ult" -> bin "bvult" a b | "word_ugt" -> bin "bvugt" a b
       | "word_ule" -> bin "bvule" a b | "word_uge" -> bin "bvuge" a b
       | "bit" when is_numeral a ->
           let k = string_of_int (Num.int_of_num (dest_numeral a)) in
           "(= ((_ extract " ^ k ^ " " ^ k ^ ") " ^ smt_of b ^ ") #b1)"
       | n -> failwith ("smt_of: " ^ n))
  | _ -> failwith ("smt_of: " ^ string_of_term t);;

(* boundary goals: every inequality literal made tight *)
let boundary lits =
  let tight l = match l with
    | Comb (Comb (Const ("<", _), a), b) -> Some (mk_eq (mk_binop `(+):num->num->num` a `1`, b))
    | Comb (Comb (Const ("<=", _), a), b) -> Some (mk_eq (a, b))
    | Comb (Const ("~", _), m) ->
        (match m with
         | Comb (Comb (Const ("<", _), a), b) -> Some (mk_eq (a, b))
         | Comb (Comb (Const ("<=", _), a), b) -> Some (mk_eq (a, mk_binop `(+):num->num->num` b `1`))
         | _ -> None)
    | _ -> None in
  List.fold_left (fun acc l -> match tight l with Some t -> t :: acc | None -> acc) [] lits;;

let dif_read_num out name =
  ignore (Str.search_forward (Str.regexp ("(" ^ name ^ " #\\([xb]\\)\\([0-9a-f]+\\))")) out 0);
  let base = Str.matched_group 1 out and digits = Str.matched_group 2 out in
  let r = ref (Num.num_of_int 0) in
  String.iter (fun ch ->
    let d = int_of_string ("0x" ^ String.make 1 ch) in
    r := Num.add_num (Num.mult_num !r (Num.num_of_int (if base = "x" then 16 else 2)))
                     (Num.num_of_int d)) digits;
  Num.string_of_num !r;;

(* for each goal, values of x, y, z satisfying it, or None (unsat, or not
   settled): one solver process per template, each goal between push and pop *)
let smt_solve_all goals =
  if goals = [] then [] else
  let f = Filename.temp_file "difhol" ".smt2" in
  let oc = open_out f in
  Printf.fprintf oc "(set-logic QF_BV)\n(set-option :timeout 5000)\n";
  List.iter (fun v -> Printf.fprintf oc
    "(declare-const %s (_ BitVec 130))\n(assert (bvult %s (_ bv18446744073709551616 130)))\n" v v)
    ["x"; "y"; "z"];
  List.iteri (fun k g ->
    Printf.fprintf oc "(push 1)\n(assert %s)\n(echo \"goal %d\")\n(check-sat)\n(get-value (x y z))\n(pop 1)\n" g k)
    goals;
  close_out oc;
  let ic = Unix.open_process_in ("timeout " ^ string_of_int (10 + 5 * length goals) ^ " " ^
                                 smt_solver ^ " " ^ f ^ " 2>/dev/null") in
  let buf = Buffer.create 4096 in
  (try while true do Buffer.add_channel buf ic 1 done with End_of_file -> ());
  ignore (Unix.close_process_in ic);
  Sys.remove f;
  let parts = Str.split (Str.regexp "goal [0-9]+\n") (Buffer.contents buf) in
  let parts = if length parts > length goals then tl parts else parts in
  map (fun k ->
    try
      let out = el k parts in
      if String.length out < 3 || String.sub out 0 3 <> "sat" then None
      else Some (dif_read_num out "x", dif_read_num out "y", dif_read_num out "z")
    with _ -> None) (0 -- (length goals - 1));;

(* ---- the guard rewritten with a template's facts ---- *)
let dif_sv = `s:dif_state`;;
(* s_<field> s = its value in the state at pc K *)
let dif_state_facts s1 =
  let vals = snd (strip_comb s1) in
  if length vals <> length dif_fields then failwith "dif_state_facts" else
  map2 (fun f v -> ASSUME (mk_eq (mk_comb (mk_const ("s_" ^ f, []), dif_sv), v))) dif_fields vals;;

(* definitions recursive on a number (sscan, r_num, ...) are unfolded only
   at numerals: rewriting would unfold them forever on a symbolic one *)
let dif_is_numrec th =
  exists (fun c ->
    let l, r = dest_eq (snd (strip_forall c)) in
    let f, args = strip_comb l in
    is_const f && forall is_var args && free_in f r) (map concl (CONJUNCTS (SPEC_ALL th)));;
let dif_unfold_conv defs =
  let rws = map (fun th -> let th = SPEC_ALL th in lhs (concl th), th)
              (List.concat (map (fun d -> CONJUNCTS (SPEC_ALL d)) defs)) in
  fun tm ->
    let _, args = strip_comb tm in
    if exists (fun a -> type_of a = `:num` && not (is_numeral a)) args
    then failwith "dif_unfold_conv" else
    tryfind (fun (l, th) -> INST_TYPE [] (PART_MATCH lhs th tm)) rws;;

let dif_rw_defs = lazy (
  let all = [R1; R2; RD; reg; i_op; i_r1; i_r2; i_rd; i_label; i_idx; nth_or;
    bitset; kpriv; ppriv; readable; reg_for; find_reg; fits; r_base; r_size; r_space;
    r_flag; r_off; r_has; r_rem; any_toxic; in_window; vm_obj; host_obj; cl_obj;
    cl_fits; canload; canstore; dif_va_strtab; dif_va_scratch; dif_va_end; div_ovf;
    dif_int64_min; llen; pbound; vkind; vsize; vval; vget; bk; bp; bkind; bpriv;
    bstr_room; alookup; amem; opt_rem; cl_rem; vs_cls; vsrc; rup8; apad; ltl;
    ov_byte; r_byte; opt_num; mem_num; mem_byte; sscan; r_num; dif_sll; dif_srl; dif_sra;
    APPEND; REVERSE] @ !dif_subr_defs @ !dif_dyn_defs @ dif_scmp_defs in
  let nr, r = partition dif_is_numrec all in
  r, nr);;

(* f (if b then x else y) = if b then f x else f y, unless the conditional
   is a branch of another (lifting it there would swap the two forever) *)
let dif_lift_conv tm =
  let f, a = dest_comb tm in
  if not (is_cond a) then failwith "dif_lift_conv" else
  let h, args = strip_comb f in
  if is_const h && fst (dest_const h) = "COND" && args <> [] then failwith "dif_lift_conv"
  else REWR_CONV COND_RAND tm;;

(* one rewrite net: the definitions, the facts, conditionals lifted out of
   their contexts, and the numeral and word arithmetic conversions, so that
   a condition on numerals is decided as soon as it appears *)
let dif_reduce_net = lazy (
  let _, nrs = Lazy.force dif_rw_defs in
  let unf = dif_unfold_conv nrs in
  let pat_of th = lhs (snd (strip_forall (concl th))) in
  let num_pats = [`m + n:num`; `m - n:num`; `m * n:num`; `m < n:num`; `m <= n:num`;
    `m > n:num`; `m >= n:num`; `(m:num) = n`; `m DIV n`; `m MOD n`; `m EXP n`; `SUC n`] in
  let word_pats = [`val (w:N word)`; `word_add (a:N word) b`;
    `word_sub (a:N word) b`; `word_mul (a:N word) b`; `word_and (a:N word) b`;
    `word_or (a:N word) b`; `word_xor (a:N word) b`; `word_not (a:N word)`;
    `word_shl (a:N word) n`; `word_ushr (a:N word) n`; `word_ishr (a:N word) n`;
    `word_ult (a:N word) b`; `word_ugt (a:N word) b`; `(a:N word) = b`; `bit n (a:N word)`] in
  let net = itlist (fun p n -> net_of_conv p NUM_RED_CONV n) num_pats (basic_net ()) in
  let net = itlist (fun p n -> net_of_conv p WORD_RED_CONV n) word_pats net in
  let net = net_of_conv `word n:N word` dif_word_conv net in
  let net = net_of_conv `(f:A->B) (if b then x else y)` dif_lift_conv net in
  let net = net_of_conv `(if b then (f:A->B) else g) x` (REWR_CONV COND_RATOR) net in
  let net = itlist (fun th n ->
    itlist (fun c n -> net_of_conv (pat_of c) unf n) (CONJUNCTS (SPEC_ALL th)) n) nrs net in
  net);;
let dif_reduce_conv facts =
  let rws, _ = Lazy.force dif_rw_defs in
  GENERAL_REWRITE_CONV true TOP_DEPTH_CONV (Lazy.force dif_reduce_net)
    ([FST; SND; MIN; MAX; LET_DEF; LET_END_DEF] @ facts @ rws);;

(* ---- templates ---- *)
type dif_tpl = { tname : string; tprof : int; tdeny : int; tstrsize : int; tssize : int;
                 tdyn : int; ttext : int list; tk : int; tints : string list;
                 tlines : string list list; truns : int; tisstr : bool };;

let enc_r op a b d = (op lsl 24) lor (a lsl 16) lor (b lsl 8) lor d;;
let enc_w op x d = (op lsl 24) lor (x lsl 8) lor d;;
(* r1..r5 = x, y, z, 1, 2 *)
let dif_prologue = [enc_w 37 0 1; enc_w 37 1 2; enc_w 37 2 3; enc_w 37 3 4; enc_w 37 4 5];;
let dif_ints = ["x"; "y"; "z"; "1"; "2"; "32"];;

(* memory: the string table, a kernel region readable only (K), a loadable
   one (C: canload with proc privilege), a toxic range (T), a user region
   (U); strings with and without NULs. (A region without bytes is not a
   region difvm accepts.) *)
let dif_mem_lines = [
  ["strtab"; "6162630061620000"];
  ["region"; "65536"; "16"; "0"; "1"; "41424344004546474849004b4c4d4e4f"];
  ["region"; "131072"; "16"; "0"; "35"; "6162630061626400616263646566674f"];
  ["region"; "196608"; "16"; "0"; "8"; "-"];
  ["region"; "4096"; "16"; "1"; "1"; "75767778007a7b7c7d7e7f8081828384"]];;

let tpl ?(deny=0) ?(strsize=256) ?(ssize=128) ?(dyn=1048576) ?(lines=dif_mem_lines)
        ?(ints=dif_ints) ?(runs=1) ?(isstr=false) name prof pre insn post =
  { tname = name; tprof = prof; tdeny = deny; tstrsize = strsize; tssize = ssize; tdyn = dyn;
    ttext = dif_prologue @ pre @ [insn] @ post; tk = length dif_prologue + length pre;
    tints = ints; tlines = lines; truns = runs; tisstr = isstr };;

let dif_request t ints =
  [["case"; string_of_int t.tprof; string_of_int t.tdeny; string_of_int t.tstrsize;
    string_of_int t.tssize; string_of_int t.truns; (if t.tisstr then "1" else "0"); "0";
    string_of_int t.tdyn];
   "text" :: map string_of_int t.ttext; "inttab" :: ints;
   ["args"; "0"; "0"; "0"; "0"; "0"; "0"; "0"; "0"; "0"; "0"]] @ t.tlines;;

let ret r = enc_r 35 0 0 r;;
let profs c = match c.profs with 1 -> [0] | 2 -> [1] | _ -> [0; 1];;
let dif_var sc id kind size = ["var"; string_of_int sc; string_of_int id; string_of_int kind; string_of_int size];;

(* ---- string subroutines (strs.ml) and the bytes a copy leaves after a
   fault: pinned templates (a scan's length would stay symbolic). Small
   strsize (4-16) keeps each evaluation to seconds. Pointers into the
   memory of dif_mem_lines: the string table ("abc", "ab"), K = 65536
   ("ABCD", "EFGHI", and "KLMNO" at 65547 up to the region's end), C =
   131072 (canload: "abc", "abd", and "abcdefgO" at 131080 up to its end),
   the toxic range at 196608; dif_tox_lines adds a toxic range over C's
   last 4 bytes (an unreadable byte inside a loadable region). ---- *)
let dif_tox_lines = dif_mem_lines @ [["region"; "131084"; "4"; "0"; "8"; "-"]];;
let dif_va_scratch_s = "15127872623314206720";;
(* the outcome of a faulting copy is its fault; the bytes it stored are
   seen by a second run (scratch is not cleared): run 1 fills the first
   scratch word with 0xff bytes (optionally after an 8-byte allocs), sets
   global 1280 and runs the instruction; run 2 returns that word *)
let dif_two_runs ?(alloc=false) ?(lines=dif_mem_lines) ?(deny=0) ?(strsize=16) name p ints pre insn =
  let ints = ints @ [dif_va_scratch_s; "18446744073709551615"] in
  let k = length dif_prologue in
  let body = (if alloc then [enc_r 58 2 0 3] else []) @
             [enc_w 37 6 7; enc_w 37 7 6; enc_r 63 6 0 7] @ pre in
  let l = k + 4 + length body + 2 in
  tpl ~deny ~strsize ~runs:2 ~ints ~lines:(dif_var 0 1280 0 8 :: lines) name p
    ([enc_w 41 1280 6; enc_r 16 6 0 0; (19 lsl 24) lor l; enc_w 42 1280 4] @ body) insn
    [ret 3; enc_w 37 6 7; enc_r 34 7 0 6; ret 6];;
(* copy sources with a gap: (name, address, regions) *)
let dif_gap_srcs pfx = [
  pfx ^ "fwd", "18446741874686296064",
    [["region"; "18446741874686296064"; "2"; "0"; "1"; "4142"];
     ["region"; "18446741874686296068"; "4"; "0"; "1"; "45464748"]];
  pfx ^ "bwd", "262144",
    [["region"; "262144"; "4"; "0"; "1"; "41424344"];
     ["region"; "262150"; "2"; "0"; "1"; "4748"]]];;
let dif_str_subrs = [12; 23; 24; 28; 29; 44; 45];;
(* (case name it aims at, deny, strsize, scratch size, arguments, memory,
   string result) per subroutine number *)
let dif_str_cases n =
  let st = "15127591148337496064" and kk = "65536" and kend = "65547" and cc = "131072"
  and cabd = "131076" and cend = "131080" in
  let m = dif_mem_lines and t = dif_tox_lines in
  let chk an a b = (* strcanload's classes of argument an *)
    [an ^ "-kpriv", 1, 16, 128, a kk, m, false;
     an ^ "-silent", 1, 16, 128, a cend, m, false;
     an ^ "-badaddr", 0, 16, 128, a kend, m, false;
     an ^ "-badaddr", 1, 16, 128, a cend, t, false] @ b in
  match n with
  | 12 -> chk "s" (fun x -> [x]) [
      "limit-badaddr", 1, 4, 128, [cend], t, false;
      "length", 0, 16, 128, [cc], m, false;
      "length", 1, 4, 128, [cend], m, false]
  | 28 | 29 -> chk "s" (fun x -> [x; "97"]) [
      "limit-badaddr", 1, 4, 128, [cend; "97"], t, false;
      "read-badaddr", 0, 16, 128, [kend; "90"], m, false;
      "notfound", 0, 16, 128, [cc; "122"], m, false;
      "found", 0, 16, 128, [cc; "98"], m, false;
      "found", 1, 16, 128, [st; "0"], m, false]
  | 44 | 45 -> [
      "badaddr", 0, 16, 128, [kend], m, false;
      "s-kpriv", 1, 16, 128, [kk], m, false;
      "noscratch", 0, 16, 8, [cc], m, false;
      "convert", 0, 16, 128, [if n = 44 then cc else kk], m, true;
      "convert", 1, 8, 128, [cend], m, true]
  | 23 -> [
      "kernel-noscratch", 0, 16, 8, [cc; cc], m, false;
      "kernel-badaddr", 0, 16, 128, [cc; kend], m, false;
      "a-kpriv", 1, 16, 128, [kk; cc], m, false;
      "a-silent", 1, 16, 128, [cend; cc], m, false;
      "a-badaddr", 1, 16, 128, [cend; cc], t, false;
      "b-kpriv", 1, 16, 128, [cc; kk], m, false;
      "b-silent", 1, 16, 128, [cc; cend], m, false;
      "b-badaddr", 1, 16, 128, [cc; cend], t, false;
      "noscratch", 1, 16, 8, [cc; cc], m, false;
      "too-long", 1, 6, 128, [cc; cabd], m, false;
      "too-long", 0, 6, 128, [cc; cabd], m, false;
      "exact-fit", 1, 7, 128, [cc; cabd], m, false;
      "join", 1, 16, 128, [cc; cabd], m, true;
      "join", 0, 16, 128, [st; kk], m, true]
  | 24 -> [
      "illop", 0, 16, 128, ["5"; "1"], m, false;
      "noscratch", 0, 16, 64, ["5"], m, false;
      "convert", 0, 16, 128, ["18446744073709551574"], m, true;
      "convert", 0, 16, 128, ["255"; "16"], m, true]
  | _ -> [];;
let dif_str_templates c p n =
  let own, others = partition (fun (cn, _, _, _, _, _, _) -> cn = c.cname) (dif_str_cases n) in
  let one k (cn, deny, strsize, ssize, args, lines, isstr) =
    let ints = args @ replicate "0" (3 - length args) @ ["1"; "2"; "32"] in
    let pre = (51 lsl 24) :: map (fun r -> enc_r 49 0 0 r) (1 -- length args) in
    tpl ~deny ~strsize ~ssize ~ints ~lines ~isstr
      (Printf.sprintf "p%dd%ds%d%s%d" p deny strsize cn k) p pre (enc_w 47 n 3) [ret 3] in
  let args2 = [51 lsl 24; enc_r 49 0 0 1; enc_r 49 0 0 2] in
  (* the bytes a faulting strjoin (kernel visibility) or toupper/tolower
     leave at the scratch pointer, seen by a second run *)
  let runs2 =
    if n = 23 && c.cname = "kernel-badaddr" then
      [dif_two_runs "p0runs2" p ["131072"; "65547"; "0"; "1"; "2"; "32"] args2 (enc_w 47 n 3)]
    else if (n = 44 || n = 45) && c.cname = "badaddr" then
      [dif_two_runs "p0runs2" p ["65547"; "0"; "0"; "1"; "2"; "32"] args2 (enc_w 47 n 3)]
    else [] in
  runs2 @ List.mapi one own @ List.mapi one others;;

(* the subroutine templates: x, y, z pushed as arguments (and after an
   allocation), plus sources straddling the end of region K *)
let simple_subr c ps =
  let args = [51 lsl 24; enc_r 49 0 0 1; enc_r 49 0 0 2; enc_r 49 0 0 3] in
  let alloc = [enc_w 37 5 6; enc_r 58 6 0 7] in
  List.concat (map (fun p ->
    let n = if p = 1 then snd c.sub else fst c.sub in
    if n < 0 then [] else
    let free = List.concat (map (fun (pre, ss) ->
      map (fun d -> tpl ~deny:d ~ssize:ss (Printf.sprintf "p%dd%dn%ds%d" p d (length pre) ss)
        p pre (enc_w 47 n 3) [ret 3]) [0; 1; 3; 4; 8])
      [args, 128; alloc @ args, 128; args, 8]) in
    (* a source straddling the end of region K (bcopy: into allocated
       scratch; copyout: to the user region) *)
    let pinned = map (fun ints -> tpl ~ints (Printf.sprintf "p%dpin%s" p (hd ints)) p (alloc @ args)
                       (enc_w 47 n 3) [ret 3])
      [["65544"; "15127872623314206720"; "16"; "1"; "2"; "32"];
       ["65544"; "4096"; "16"; "1"; "2"; "32"]] in
    (* the free templates do not reach a faulting source (copyout): the
       pinned ones first, so the case budget is not spent before them *)
    if c.cname = "badaddr-src" then pinned @ free else free @ pinned)
    ps);;

(* the templates tried for a case, in order *)
let dif_templates c =
  let op = c.op in
  let ps = profs c in
  let over ds f = List.concat (map (fun p -> map (fun d -> f p d) ds) ps) in
  let simple ?(ds=[0]) pre insn post =
    over ds (fun p d -> tpl ~deny:d ("p" ^ string_of_int p ^ "d" ^ string_of_int d) p pre insn post) in
  let pin ints name pre insn post =
    map (fun p -> tpl ~ints ("p" ^ string_of_int p ^ "pin" ^ name) p pre insn post) ps in
  if op = 8 then
    (* products the solver may not settle in time: small values first *)
    pin ["3"; "5"; "0"; "1"; "2"; "32"] "3,5" [] (enc_r op 1 2 3) [ret 3] @
    simple [] (enc_r op 1 2 3) [ret 3]
  else if (op >= 1 && op <= 12) || op = 46 then simple [] (enc_r op 1 2 3) [ret 3]
  else if op = 13 || op = 14 then simple [] (enc_r op 1 0 3) [ret 3]
  else if op = 15 then
    let b = match c.cname with "equal" -> 18 | "below" -> 25 | _ -> 21 in
    simple [] (enc_r 15 1 2 0) [enc_w b 0 0 lor 8; ret 5; ret 4]
  else if op = 16 then simple [] (enc_r 16 1 0 0) [(18 lsl 24) lor 8; ret 5; ret 4]
  else if op >= 17 && op <= 27 then
    simple [enc_r 15 1 2 0] ((op lsl 24) lor 8) [ret 5; ret 4]
  else if (op >= 28 && op <= 34) || (op >= 64 && op <= 77) then
    let ds = if op <= 34 then [0; 2] else if op >= 71 then [1; 3; 0] else [0; 1] in
    simple ~ds [] (enc_r op 1 0 3) [ret 3]
  else if op = 35 then simple [] (enc_r 35 0 0 1) []
  else if op = 36 then simple [] (36 lsl 24) [ret 1]
  else if op = 37 then simple [] (enc_w 37 1 3) [ret 3]
  else if op = 38 then simple [] (enc_w 38 2 3) [ret 3]
  else if op = 39 then
    (* kernel visibility: the compare's limit is strsize (8), a number *)
    over [0] (fun p d -> tpl ~deny:d ~strsize:8 ("p" ^ string_of_int p) p []
      (enc_r 39 1 2 0) [(18 lsl 24) lor 8; ret 5; ret 4]) @
    (* without it: pinned pointers into the regions *)
    List.concat (map (fun (a, b) ->
      over [1; 3] (fun p d -> tpl ~deny:d ~strsize:8 ~ints:[a; b; "0"; "1"; "2"; "32"]
        ("p" ^ string_of_int p ^ "d" ^ string_of_int d ^ "pin" ^ a ^ "," ^ b) p []
        (enc_r 39 1 2 0) [(18 lsl 24) lor 8; ret 5; ret 4]))
      ["65536", "131072"; "131072", "65536"; "131072", "131076"; "131076", "131072";
       "131080", "131080"; "131080", "131084"; "131084", "131080"; "262144", "131072";
       "131072", "262144"; "15127591148337496064", "131072"; "131072", "15127591148337496064";
       "196608", "131072"; "131072", "196608"; "131072", "131073"; "131073", "131072";
       "0", "131072"; "131072", "0"; "131076", "15127591148337496068"])
  else if op = 40 then
    List.concat (map (fun aid ->
      simple ~ds:[0; 2; 1] [] (enc_r 40 aid 2 3) [ret 3]) [0; 1; 2; 3; 4])
  else if op = 41 || op = 56 then
    let sc = if op = 41 then 0 else 2 in
    let ids = [1280; 256; 259; 262; 272; 274; 280; 281; 290; 291; 300] in
    (* the ids whose kind the case names first *)
    let first = match c.cname with
      | n when String.length n > 3 && String.sub n 0 3 = "str" -> [274; 280]
      | "arg" -> [262] | "int" -> [256; 272] | "unknown" -> [300] | "kpriv" -> [272; 290]
      | "upriv" -> [256] | "builtin-zero" -> [256] | _ -> [1280] in
    let ids = first @ filter (fun i -> not (mem i first)) ids in
    List.concat (map (fun id ->
      List.concat (map (fun (kind, size) ->
        List.concat (map (fun (bl, ss) ->
          over [1; 0; 2] (fun p d ->
            tpl ~deny:d ~ssize:ss ~lines:(["strtab"; "6100"] :: dif_var sc 1280 kind size :: bl)
              (Printf.sprintf "p%dd%dk%ds%d" p d kind ss) p [] (enc_w op id 3) [ret 3]))
          [[["bvar"; "256"; "7"]; ["bvar"; "272"; "11"];
            ["bstr"; "274"; "5"]; ["bstr"; "280"; "3"]], 128;
           [["bstr"; "274"; "5"]], 4; [], 128]))
        (if id = 1280 then [0, 8; 3, 16] else [0, 8])))
      ids)
  else if op = 42 || op = 57 then
    let sc = if op = 42 then 0 else 2 in
    List.concat (map (fun (kind, size) ->
      over [0] (fun p d -> tpl ~deny:d ~lines:(dif_var sc 1280 kind size :: dif_mem_lines)
        (Printf.sprintf "p%dk%d" p kind) p [] (enc_w op 1280 3) [enc_w (op - 1) 1280 4; ret 4]))
      [0, 8; 3, 16])
  else if op = 43 then simple [] (enc_w 43 1280 3) [ret 3]
  else if op = 44 || op = 45 || (op >= 52 && op <= 55) then
    let thr = op = 44 || op = 45 || op = 53 || op = 55 in
    let sc = if thr then 1 else 0 in
    let ld = op = 44 || op = 52 || op = 53 in
    let st_op = if op = 44 then 45 else if op = 52 then 54 else if op = 53 then 55 else op in
    let assoc = op >= 52 in
    let key_ref = if assoc then [enc_r 48 0 2 3] else [] in
    let key_val = if assoc then [enc_r 49 0 0 2] else [] in
    let store_first = key_val @ [enc_w st_op 1280 1; 51 lsl 24] @ key_val in
    let pres = [key_val; key_ref] @ (if ld then [store_first] else []) in
    (* by value, and by reference (a by-ref global is sent as the NULL
       marker, kind 3; a thread-local is not) *)
    let varss = [[dif_var sc 1280 0 8]; [dif_var sc 1280 (if sc = 1 then 1 else 3) 16]] in
    List.concat (map (fun vars ->
    List.concat (map (fun pre ->
      (* a store in the prologue branches on x (delete on 0): pinned *)
      let ints = if pre == store_first then ["42"; "7"; "0"; "1"; "2"; "32"] else dif_ints in
      List.concat (map (fun dyn ->
        over [0; 1; 3] (fun p d ->
          tpl ~deny:d ~dyn ~ints ~lines:(vars @ dif_mem_lines)
            (Printf.sprintf "p%dd%dn%dm%d" p d (length pre) dyn) p pre
            (enc_w op 1280 (if ld then 3 else 1)) [ret 3]))
        (if ld then [1048576] else [1048576; 64])))
      pres)) varss)
  else if op = 48 || op = 49 || op = 50 || op = 51 then
    let pushes n = replicate (enc_r 49 0 0 0) n in
    let insns = if op = 48 then [enc_r 48 0 2 3; enc_r 48 1 2 3]
                else if op = 49 then [enc_r 49 0 0 3] else [op lsl 24] in
    List.concat (map (fun n ->
      List.concat (map (fun w ->
        over [0; 1] (fun p d -> tpl ~deny:d ~strsize:8 (Printf.sprintf "p%dd%dn%d" p d n)
          p (pushes n) w [ret 1])) insns)) [0; 1; 8]) @
    (if op = 48 then
       (* string pushes scan a pinned address for at most R2 (pinned) bytes *)
       List.concat (map (fun (a, b) ->
         over [0] (fun p d -> tpl ~deny:d ~strsize:8 ~ints:["0"; b; a; "1"; "2"; "32"]
           ("pin" ^ a ^ "," ^ b) p [] (enc_r 48 1 2 3) [ret 1]))
         ["65536", "8"; "65536", "3"; "65546", "8"; "196608", "4"; "65540", "0"])
     else [])
  else if op = 58 then
    List.concat (map (fun pre ->
      over [0] (fun p d -> tpl ~deny:d (Printf.sprintf "p%dn%d" p (length pre)) p pre
        (enc_r 58 1 0 3) [ret 3])) [[]; [enc_r 58 4 0 6]])
  else if op = 59 && c.cname = "badaddr-src" then
    (* the bytes stored from the fault on (Decision 14), seen by a second
       run: forward from a high source with a gap after 2 bytes, backward
       from a low one with a gap at bytes 4-5 *)
    map (fun (nm, src, ls) ->
      dif_two_runs ~lines:(ls @ dif_mem_lines) nm 0 [src; "8"; dif_va_scratch_s; "1"; "2"; "32"]
        [] (enc_r 59 1 2 3)) (dif_gap_srcs "p0runs2") @
    simple ~ds:[0; 1; 3] [] (enc_r 59 1 2 3) [enc_r 31 3 0 4; ret 4]
  else if op = 59 then
    simple ~ds:[0; 1; 3] [] (enc_r 59 1 2 3) [enc_r 31 3 0 4; ret 4] @
    (* a source straddling the end of region K *)
    pin ["65544"; "16"; "15127872623314206720"; "1"; "2"; "32"] "straddle" []
      (enc_r 59 1 2 3) [enc_r 31 3 0 4; ret 4]
  else if op >= 60 && op <= 63 then
    simple [] (enc_r op 1 0 3) [enc_r (op - 29) 3 0 4; ret 4]
  else if op = 80 then
    List.concat (map (fun aid -> simple ~ds:[0; 8; 2; 4] [] (enc_r 80 aid 2 3) [ret 1]) [2; 5])
  else if op = 47 && exists (fun n -> mem n dif_str_subrs) [fst c.sub; snd c.sub] then
    List.concat (map (fun p ->
      let n = if p = 1 then snd c.sub else fst c.sub in
      if n < 0 then [] else dif_str_templates c p n) ps)
  else if op = 47 && c.cname = "badaddr-src" && fst c.sub = 16 then
    (* bcopy: as copys, into an 8-byte allocation at the scratch base *)
    map (fun (nm, src, ls) ->
      dif_two_runs ~alloc:true ~lines:(ls @ dif_mem_lines) nm 0
        [src; "8"; "0"; "1"; "2"; "32"]
        [51 lsl 24; enc_r 49 0 0 1; enc_r 49 0 0 3; enc_r 49 0 0 2] (enc_w 47 16 6))
      (dif_gap_srcs "p0runs2")
  else if op = 47 && c.cname = "badaddr" && (fst c.sub = 8 || fst c.sub = 17) then
    (* copyin, copyinto: the user bytes before the first unreadable one
       (4108..4111, the user region's last four) stay in the buffer
       (Decision 31), seen by a second run; copyin's buffer is allocated
       at the scratch base, copyinto's is an 8-byte allocs there *)
    let n = fst c.sub in
    [dif_two_runs ~alloc:(n = 17) "p0runs2" 0 ["4108"; "8"; "0"; "1"; "2"; "32"]
       ([51 lsl 24; enc_r 49 0 0 1; enc_r 49 0 0 2] @ (if n = 17 then [enc_r 49 0 0 3] else []))
       (enc_w 47 n 6)] @
    simple_subr c ps
  else if op = 47 then simple_subr c ps
  else [];;

(* ---- one template: goals, solutions, tests ---- *)
let dif_gconst gdef = fst (strip_comb (lhs (snd (strip_forall (concl gdef)))));;

(* the state at pc K and the decoded instruction there *)
let dif_tpl_state t ints =
  let tm = dif_case_term (dif_request t ints) in
  match snd (strip_comb tm) with
  | [text; _; _; st] ->
      let s1 = rand (concl (DIF_EVAL_CONV (list_mk_comb (`dif_exec`, [text; mk_small_numeral t.tk; st])))) in
      let insn = rand (concl (DIF_EVAL_CONV (mk_comb (`dif_decode`, mk_small_numeral (el t.tk t.ttext))))) in
      s1, insn
  | _ -> failwith "dif_tpl_state";;

let DIF_COND_OR = TAUT `(if b then t1 else t2) <=> b /\ t1 \/ ~b /\ t2`;;
(* a disjunct with a literal and its negation *)
let dif_contradictory d =
  let ls = conjuncts d in
  exists (fun l -> mem (mk_neg l) ls) ls;;

(* A prologue step whose case depends on x, y, z (cmp: equal, below or
   above) leaves the state as conditionals: each path, with its conditions,
   evaluated on its own *)
let rec dif_paths d tm =
  if d > 0 && is_cond tm then
    let c, (a, b) = dest_cond tm in
    let ev t = rand (concl (DIF_EVAL_CONV t)) in
    map (fun (cs, s) -> c :: cs, s) (dif_paths (d - 1) (ev a)) @
    map (fun (cs, s) -> mk_neg c :: cs, s) (dif_paths (d - 1) (ev b))
  else [[], tm];;

(* the SMT goals of one path: the guard's disjuncts and boundary goals *)
let dif_disjunct_goals d =
  try
    let base = smt_of d in
    base :: map (fun b -> "(and " ^ base ^ " " ^ smt_of b ^ ")") (boundary (conjuncts d))
  with Failure _ -> [];;
let dif_path_goals gdef insn conds s1 =
  (* the instruction under test must run as itself (dif_fix) and the
     prologue must not have stopped *)
  let fixed = rand (concl (DIF_EVAL_CONV (list_mk_comb (`dif_fix`, [s1; insn])))) in
  let facts = if fixed <> insn then [] else dif_state_facts s1 in
  if facts = [] || rand (concl (el (index "status" dif_fields) facts)) <> `Running` then [] else
  let g = list_mk_comb (dif_gconst gdef, [dif_sv; insn]) in
  let th = (REWRITE_CONV [gdef] THENC dif_reduce_conv facts THENC
            REWRITE_CONV [DIF_COND_OR] THENC NNF_CONV THENC DNF_CONV) g in
  let dnf = rand (concl th) in
  let ds = if dnf = `F` then [] else filter (fun d -> not (dif_contradictory d)) (disjuncts dnf) in
  let ds = if length ds > 24 then fst (chop_list 24 ds) else ds in
  let goals = List.concat (map dif_disjunct_goals ds) in
  if conds = [] then goals else
  let path = String.concat " " (map smt_of conds) in
  map (fun g -> "(and " ^ g ^ " " ^ path ^ ")") goals;;

(* the goals of a template: SMT formulas (goal, boundary goals) *)
let dif_goals gdef t =
  let s0, insn = dif_tpl_state t t.tints in
  List.concat (map (fun (conds, s1) -> dif_path_goals gdef insn conds s1) (dif_paths 4 s0));;

(* the guard holds on the concrete state at pc K *)
let dif_hits gdef t ints =
  let s1, insn = dif_tpl_state t ints in
  rand (concl (DIF_EVAL_CONV (list_mk_comb (dif_gconst gdef, [s1; insn])))) = `T`;;

(* ---- cases without a derived test, and why ---- *)
let dif_effect_unsup c = dif_guard_only c;;
let dif_derive_excluded =
  (* the byte-order identity cases need a big-endian host; the theory states
     the little-endian one (dif_host_be = F), so their guard is F *)
  map (fun n -> n ^ " identity",
       "guard unsatisfiable: the theory states a little-endian host (dif_host_be = F)")
    ["htons"; "htonl"; "htonll"; "ntohs"; "ntohl"; "ntohll"] @
  (* satisfiable, but no template reaches them within the case budget yet:
     string scans with a symbolic length (scmp without kernel visibility,
     string pushes), associative-array elements (keys over several pushes,
     a store before the load in the prologue) and by-ref dynamic stores.
     Listed so that the run still fails on any other case losing its test;
     a template that reaches one makes its entry stale (harmless). *)
  map (fun n -> n, "not reached by the templates within the case budget")
   [
    "ldgaa key-badaddr";
    "ldgaa missing";
    "ldgaa value";
    "ldtaa key-badaddr";
    "ldtaa missing";
    "ldtaa value";
    "pushtr string";
    "pushtr string-badaddr";
    "scmp badaddr";
    "scmp equal";
    "scmp greater";
    "scmp left-badaddr";
    "scmp left-silent";
    "scmp right-badaddr";
    "scmp right-silent";
    "scmp same";
    "stgaa delete";
    "stgaa drop";
    "stgaa key-badaddr";
    "stgaa key-kpriv";
    "stgaa store-kpriv";
    "stgaa store-silent";
    "stgaa store-value";
    "sttaa delete";
    "sttaa drop";
    "sttaa key-badaddr";
    "sttaa store-kpriv";
    "sttaa store-silent";
    "sttaa store-value";
    "stts store-kpriv";
    "stts store-silent";
   ];;
let dif_exclusion c =
  if dif_effect_unsup c then
    Some "effect outside the theory (HOL answers unsupported: no expected outcome)"
  else try
    let why = assoc (c.insn ^ " " ^ c.cname) dif_derive_excluded in
    (* the full mode tries the cases the templates do not reach yet *)
    if dif_derive_k = max_int && why = "not reached by the templates within the case budget"
    then None else Some why
  with Failure _ -> None;;

let dif_unsolved = ref 0;;
(* seconds a case may spend on its templates *)
let dif_case_budget = try float_of_string (Sys.getenv "DIF_HOL_DERIVE_BUDGET") with _ -> 20.0;;
(* DIF_HOL_DERIVE_ONLY=insn,insn restricts the run (while working on templates) *)
let dif_derive_only =
  try String.split_on_char ',' (Sys.getenv "DIF_HOL_DERIVE_ONLY") with Not_found -> [];;
(* The tests of one case within budget seconds, written to oc: (tests made,
   whether the budget ran out before the templates were exhausted). *)
let derive_case oc ntests ngoals budget c gdef =
  let made = ref 0 and timed_out = ref false in
  let start = Unix.gettimeofday () in
  let in_budget () =
    Unix.gettimeofday () -. start <= budget || (timed_out := true; false) in
  (try
    List.iter (fun t ->
      if !made >= dif_derive_k || not (in_budget ()) then raise Exit;
      (* a pinned template has one goal, its guard, evaluated *)
      let pinned = not (exists (fun v -> mem v ["x"; "y"; "z"]) t.tints) in
      let goals = if pinned then ["true"]
                  else try dif_timed 8 (dif_goals gdef) t with Sys.Break -> raise Sys.Break | _ -> [] in
      let sols = if pinned then [Some ("0", "0", "0")] else smt_solve_all goals in
      ngoals := !ngoals + length goals;
      List.iteri (fun k sol ->
        if !made < dif_derive_k && in_budget () then begin
          match sol with
          | None -> incr dif_unsolved
          | Some (x, y, z) ->
            let ints = map (fun v -> if v = "x" then x else if v = "y" then y
                                     else if v = "z" then z else v) t.tints in
            (try
               if dif_timed 10 (dif_hits gdef t) ints then begin
                 let req = dif_request t ints in
                 let out = dif_timed 20 dif_run_case req in
                 if String.length out > 0 && (out.[0] = 'R' || out.[0] = 'F') then begin
                   incr made; incr ntests;
                   Printf.fprintf oc "%s/%s/%s.g%d|%s|%s\n%!" c.insn c.cname t.tname k out
                     (String.concat ";" (map (String.concat " ") req))
                 end
               end
             with Sys.Break -> raise Sys.Break | e -> if dif_derive_only <> [] then Printf.printf "derive %s/%s: %s\n" c.insn c.cname (Printexc.to_string e))
        end else if sol = None then incr dif_unsolved) sols) (dif_templates c)
  with Exit -> ());
  !made, (!made = 0 && !timed_out);;

let derive_all ?(only = dif_derive_only) path =
  let oc = open_out path in
  let ntests = ref 0 and ngoals = ref 0 and ncases = ref 0 and nderived = ref 0 in
  let missing = ref [] and excluded = ref [] and report = ref [] in
  let late = ref [] and slow = ref [] in
  let t0 = Unix.gettimeofday () in
  let judge retry (c, gdef) =
    let budget = if retry then 4.0 *. dif_case_budget else dif_case_budget in
    let made, timed_out = derive_case oc ntests ngoals budget c gdef in
    if made > 0 then incr nderived
    else if timed_out then (if retry then slow := c :: !slow else late := (c, gdef) :: !late)
    else missing := c :: !missing;
    report := Printf.sprintf "%s %s: %s%s" c.insn c.cname (if retry then "retried: " else "")
      (if made > 0 then string_of_int made ^ " tests"
       else if timed_out then "NO TEST (case budget ran out)" else "NO TEST") :: !report in
  List.iter (fun (c, gdef) ->
    if only = [] || mem c.insn only then begin
    incr ncases;
    match dif_exclusion c with
    | Some why ->
        excluded := (c, why) :: !excluded;
        report := Printf.sprintf "%s %s: excluded: %s" c.insn c.cname why :: !report
    | None -> judge false (c, gdef)
    end)
    dif_guard_defs;
  (* a case whose budget ran out (a loaded machine) is retried once with four
     times the budget; one that runs out again is reported, not failed: only
     a case whose templates are exhausted without a test fails *)
  List.iter (judge true) (rev !late);
  close_out oc;
  (* the per-case report: tests, or the reason there are none *)
  let rc = open_out (path ^ ".report") in
  List.iter (fun l -> output_string rc (l ^ "\n")) (rev !report);
  close_out rc;
  List.iter (fun c ->
    Printf.printf "hol: derive: %s %s: no test derived\n" c.insn c.cname) (rev !missing);
  List.iter (fun c ->
    Printf.printf "hol: derive: %s %s: case budget ran out twice (not judged)\n" c.insn c.cname) (rev !slow);
  Printf.printf "hol: %d tests derived for %d of %d cases (%d excluded, %d out of time, %d goals, %d unsatisfiable or not solved in 5 s; %.0f s)\n%!"
    !ntests !nderived !ncases (length !excluded) (length !slow) !ngoals !dif_unsolved (Unix.gettimeofday () -. t0);
  if !missing <> [] then
    dif_fail "derive" (Failure (string_of_int (length !missing) ^ " cases without a derived test"));;
