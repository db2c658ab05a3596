(* ========================================================================= *)
(* Tests derived from the theory (HOL-TestGen style, Campbell and Stark's    *)
(* state generation). For the register instructions (ALU, division, shifts, *)
(* compare, test, branches): each case's guard, unfolded and put in          *)
(* disjunctive normal form, gives one test goal per disjunct, plus boundary  *)
(* goals (each inequality made tight). z3 finds register values satisfying  *)
(* each goal; HOL evaluates the program on them (dif_run_case) to give the   *)
(* expected outcome. Output: one line per test for hol-corpus (derive).      *)
(* ========================================================================= *)

let smt_solver = try Sys.getenv "DIF_SMT" with Not_found -> "z3";;

(* x = R[r1], y = R[r2]; flags as a preceding "cmp r1, r2" sets them *)
let rec smt_of t =
  let bin op a b = "(" ^ op ^ " " ^ smt_of a ^ " " ^ smt_of b ^ ")" in
  if t = `T` then "true" else if t = `F` then "false" else
  if t = `val (R1 s i)` then "x" else if t = `val (R2 s i)` then "y" else
  if t = `val (targ s 0)` then "x" else if t = `val (targ s 1)` then "y" else
  if t = `targ s 0` then "x" else if t = `targ s 1` then "y" else
  if t = `R1 s i` then "x" else if t = `R2 s i` then "y" else
  if t = `s_ccz s` then "(= x y)" else if t = `s_ccc s` then "(bvult x y)" else
  if t = `s_ccv s` then "false" else
  if t = `s_ccn s` then "(= ((_ extract 63 63) (bvsub x y)) #b1)" else
  if is_numeral t then
    "(_ bv" ^ Num.string_of_num (dest_numeral t) ^ " 130)" else
  if is_neg t then "(not " ^ smt_of (dest_neg t) ^ ")" else
  if is_conj t then let a, b = dest_conj t in bin "and" a b else
  if is_disj t then let a, b = dest_disj t in bin "or" a b else
  if is_imp t then let a, b = dest_imp t in bin "=>" a b else
  match strip_comb t with
  | c, [a] when is_const c && fst (dest_const c) = "word" -> smt_of a
  | c, [a; b] when is_const c ->
      (match fst (dest_const c) with
       | "=" -> bin "=" a b | "+" -> bin "bvadd" a b | "*" -> bin "bvmul" a b
       | "<" -> bin "bvult" a b | "<=" -> bin "bvule" a b
       | "word_ult" -> bin "bvult" a b | "word_ugt" -> bin "bvugt" a b
       | n -> failwith ("smt_of: " ^ n))
  | _ -> failwith ("smt_of: " ^ string_of_term t);;

(* boundary goals: every inequality literal made tight *)
let boundary lits =
  let rec tight l = match l with
    | Comb (Comb (Const ("<", _), a), b) -> Some (mk_eq (mk_binop `(+):num->num->num` a `1`, b))
    | Comb (Comb (Const ("<=", _), a), b) -> Some (mk_eq (a, b))
    | Comb (Const ("~", _), m) ->
        (match m with
         | Comb (Comb (Const ("<", _), a), b) -> Some (mk_eq (a, b))
         | Comb (Comb (Const ("<=", _), a), b) -> Some (mk_eq (a, mk_binop `(+):num->num->num` b `1`))
         | _ -> None)
    | _ -> None in
  List.fold_left (fun acc l -> match tight l with Some t -> t :: acc | None -> acc) [] lits;;

let smt_solve goal =
  let f = Filename.temp_file "difhol" ".smt2" in
  let oc = open_out f in
  Printf.fprintf oc "(set-logic QF_BV)\n(declare-const x (_ BitVec 130))\n\
    (declare-const y (_ BitVec 130))\n\
    (assert (bvult x (_ bv18446744073709551616 130)))\n\
    (assert (bvult y (_ bv18446744073709551616 130)))\n\
    (assert %s)\n(check-sat)\n(get-value (x y))\n" goal;
  close_out oc;
  (* goals the solver cannot settle in 5 s (e.g. factoring for mul
     boundaries) are skipped and counted *)
  let ic = Unix.open_process_in ("timeout 5 " ^ smt_solver ^ " " ^ f ^ " 2>/dev/null") in
  let buf = Buffer.create 256 in
  (try while true do Buffer.add_channel buf ic 1 done with End_of_file -> ());
  ignore (Unix.close_process_in ic);
  Sys.remove f;
  let out = Buffer.contents buf in
  if String.length out < 3 || String.sub out 0 3 <> "sat" then None else
  let value name =
    let k = Str.search_forward (Str.regexp ("(" ^ name ^ " #\\([xb]\\)\\([0-9a-f]+\\))")) out 0 in
    ignore k;
    let base = Str.matched_group 1 out and digits = Str.matched_group 2 out in
    let r = ref (Num.num_of_int 0) in
    String.iter (fun ch ->
      let d = int_of_string ("0x" ^ String.make 1 ch) in
      r := Num.add_num (Num.mult_num !r (Num.num_of_int (if base = "x" then 16 else 2)))
                       (Num.num_of_int d)) digits;
    Num.string_of_num !r in
  Some (value "x", value "y");;

(* subroutines whose guards are over their arguments and the profile, the
   host and the initial scratch pointer only *)
let dif_derive_subrs = ["alloca"; "memref"; "htons"; "htonl"; "htonll"; "ntohs";
  "ntohl"; "ntohll"; "getmajor"; "getminor"; "msgdsize"; "msgsize";
  "ddi_pathname"; "mutex_owner"; "mutex_type_adaptive"; "mutex_type_spin";
  "rw_read_held"; "rw_write_held"; "rw_iswriter"; "speculation"; "progenyof";
  "sx_shared_held"; "sx_exclusive_held"; "sx_isexclusive"; "getf"];;

let enc_r op a b d = string_of_int ((op lsl 24) lor (a lsl 16) lor (b lsl 8) lor d);;
let enc_w op x d = string_of_int ((op lsl 24) lor (x lsl 8) lor d);;

(* the program exercising one case of an instruction on R[r1]=x, R[r2]=y *)
let derive_prog c =
  let setx = [enc_w 37 0 1; enc_w 37 1 2; enc_w 37 2 4; enc_w 37 3 5] in
  if c.op >= 17 && c.op <= 27 then
    Some (setx @ [enc_r 15 1 2 0; string_of_int ((c.op lsl 24) lor 7);
                  enc_r 35 0 0 5; enc_r 35 0 0 4])
  else if c.op = 15 then
    let br = match c.cname with "equal" -> 18 | "below" -> 25 | _ -> 21 in
    Some (setx @ [enc_r 15 1 2 0; string_of_int ((br lsl 24) lor 7);
                  enc_r 35 0 0 5; enc_r 35 0 0 4])
  else if c.op = 16 then
    Some (setx @ [enc_r 16 1 0 0; string_of_int ((18 lsl 24) lor 7);
                  enc_r 35 0 0 5; enc_r 35 0 0 4])
  else if c.op = 13 || c.op = 14 then
    Some (setx @ [enc_r c.op 1 0 3; enc_r 35 0 0 3])
  else if (c.op >= 1 && c.op <= 12) || c.op = 46 then
    Some (setx @ [enc_r c.op 1 2 3; enc_r 35 0 0 3])
  else if c.op = 47 && mem c.insn dif_derive_subrs then
    (* arguments x, y pushed; the call is the run's first allocation *)
    let n = if c.profs = 2 then snd c.sub else fst c.sub in
    Some (setx @ [enc_r 51 0 0 0; enc_r 49 0 0 1; enc_r 49 0 0 2; enc_w 47 n 3;
                  enc_r 35 0 0 3])
  else None;;

let dif_unsolved = ref 0;;
let derive_all path =
  let oc = open_out path in
  let n = ref 0 in
  List.iter (fun (c, gdef) ->
    match derive_prog c with
    | None -> ()
    | Some text ->
      try
        let g = rhs (concl (try ISPECL [`s:dif_state`; `i:dif_insn`] gdef with Failure _ -> SPEC_ALL gdef)) in
        (* a subroutine's case runs on one profile, at the start of a run
           (scratch pointer 0 in 65536 bytes), on the theory's host *)
        let sprof = if c.profs = 2 then 1 else 0 in
        let sub_facts = if c.op <> 47 then [] else
          [ASSUME (mk_eq (`s_prof s`, mk_small_numeral sprof)); ASSUME `s_sptr s = 0`;
           ASSUME `s_ssize s = 65536`; salloc_no; apad; rup8; dif_host_be] in
        let th = (REWRITE_CONV ([div_ovf; dif_int64_min] @ sub_facts) THENC
                  DEPTH_CONV WORD_RED_CONV THENC NUM_REDUCE_CONV THENC
                  NNF_CONV THENC DNF_CONV) g in
        let dnf = rhs (concl th) in
        let disjuncts = if dnf = `F` then [] else disjuncts dnf in
        let goals = List.concat (map (fun d ->
          let lits = conjuncts d in
          smt_of d :: map (fun b -> "(and " ^ smt_of d ^ " " ^ smt_of b ^ ")") (boundary lits))
          disjuncts) in
        List.iteri (fun k goal ->
          match smt_solve goal with
          | None -> incr dif_unsolved
          | Some (x, y) ->
            let prof = string_of_int (if c.op = 47 then sprof else k mod 2) in
            let l = [["case"; prof; "0"; "256"; "65536"; "1"; "0"; "0"]; "text" :: text;
                     ["inttab"; x; y; "1"; "2"];
                     ["args";"0";"0";"0";"0";"0";"0";"0";"0";"0";"0"]] in
            let out = dif_run_case l in
            incr n;
            Printf.fprintf oc "%s/%s/g%d|%s|%s|%s %s 1 2|%s\n" c.insn c.cname k prof
              (String.concat " " text) x y out)
          goals
      with e -> dif_fail ("derive " ^ c.insn ^ "/" ^ c.cname) e)
    dif_guard_defs;
  close_out oc;
  Printf.printf "hol: %d tests derived from the guards (%d goals unsatisfiable or not solved in 5 s)\n%!"
    !n !dif_unsolved;;
