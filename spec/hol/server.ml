(* ========================================================================= *)
(* The HOL side of spec/hol/runtime: reads cases in a line format from the   *)
(* C front end (spec/hol/frontend.c), builds the initial state as a HOL term,*)
(* evaluates dif_runs with DIF_EVAL_CONV and prints the outcome. Replies     *)
(* start with "@@" so the front end can skip the toplevel's own output.      *)
(*                                                                           *)
(* Request (one item per line, numbers in decimal):                          *)
(*   case PROF DENY STRSIZE SSIZE RUNS ISSTR TKEY [DYNSZ]                    *)
(*   text W...          inttab V...        args V...                         *)
(*   var SCOPE ID KIND SIZE   (repeated)   bvar ID VALUE   bstr ID LEN        *)
(*   strtab HEX         region BASE SIZE SPACE RIGHTS HEX   end              *)
(*   observe MASK       (registers whose strings the outcome digests)        *)
(* Reply: "@@ R v", "@@ R v S hex", "@@ F code addr pc", "@@ U n" or "@@ E m"*)
(* (R and F replies carry " D n" when n dynamic variable stores dropped; R  *)
(* replies " G d", the digest, when the case observes registers)            *)
(* ========================================================================= *)

let dif_num s = mk_numeral (Num.num_of_string s);;
let mk_tuple l = end_itlist (curry mk_pair) l;;
let w64_tm = `word:num->int64` and w8_tm = `word:num->byte`;;
(* "x", "y", "z" stand for symbolic values (the test derivation, derive.ml) *)
let mk_w64 s =
  if s = "x" || s = "y" || s = "z" then mk_var (s, `:int64`)
  else mk_comb (w64_tm, dif_num s);;
let dif_hex_bytes h =
  let n = String.length h / 2 in
  map (fun k -> mk_comb (w8_tm, mk_small_numeral (int_of_string ("0x" ^ String.sub h (2 * k) 2))))
    (0 -- (n - 1));;
let byte_ty = `:byte` and int64_ty = `:int64`;;

let dif_words l = String.split_on_char ' ' l |> List.filter (fun x -> x <> "");;

(* the last case's run theorem (for inspection in a session) *)
let dif_last_run = ref TRUTH;;
(* the run a request describes: dif_runs text runs fuel state *)
let dif_case_term (lines : string list list) =
  let get k = try assoc k (map (fun l -> hd l, tl l) lines) with _ -> [] in
  let all k = map tl (filter (fun l -> hd l = k) lines) in
  let hdr = Array.of_list (get "case") in
  let prof = hdr.(0) and deny = hdr.(1) and strsize = hdr.(2) and ssize = hdr.(3)
  and runs = hdr.(4) and isstr = hdr.(5) = "1" and tkey = hdr.(6) in
  let dynsz = if Array.length hdr > 7 then hdr.(7) else "1048576" in
  let text = get "text" in
  let wl l = mk_list (map mk_w64 l, int64_ty) in
  let region base size sp rights hex =
    list_mk_comb (`DifRegion`, [mk_w64 base; dif_num size; dif_num sp; dif_num rights;
      mk_list ((if hex = "-" then [] else dif_hex_bytes hex), byte_ty);
      `[]:dif_wr list`]) in
  let strtab = match get "strtab" with [h] -> h | _ -> "-" in
  let strlen = string_of_int (if strtab = "-" then 0 else String.length strtab / 2) in
  let regions =
    region "15127591148337496064" strlen "0" "19" strtab ::
    region "15127872623314206720" ssize "0" "23" "-" ::
    map (function [b; z; sp; r; h] -> region b z sp r h | _ -> failwith "region")
      (all "region") in
  let vars = map (function
      | [sc; id; k; z] ->
          let kz = Num.add_num (Num.num_of_string k)
                     (Num.mult_num (Num.num_of_int 8) (Num.num_of_string z)) in
          mk_tuple [dif_num sc; dif_num id; mk_numeral kz; mk_w64 "0"]
      | _ -> failwith "var") (all "var") in
  let pairs f = map (function [a; b] -> f a b | _ -> failwith "pair") in
  let bvars = pairs (fun a b -> mk_pair (dif_num a, mk_w64 b)) (all "bvar") in
  let bstrs = pairs (fun a b -> mk_pair (dif_num a, dif_num b)) (all "bstr") in
  let zeros = mk_list (replicate (mk_w64 "0") 8, int64_ty) in
  let st = list_mk_comb (`DifState`, [
    dif_num prof; dif_num deny; dif_num strsize; zeros; `F`; `F`; `F`; `F`;
    `0`; `[]:(int64#int64)list`;
    mk_list (vars, `:num#num#num#int64`);
    `[]:((int64#int64#num) list # int64) list`;
    mk_list (regions, `:dif_region`); dif_num ssize; `0`;
    wl (get "inttab"); wl (get "args");
    mk_list (bvars, `:num#int64`); mk_list (bstrs, `:num#num`);
    rand (concl (DIF_EVAL_CONV (list_mk_comb (`dif_thread_key`,
      [mk_w64 tkey; mk_list (bvars, `:num#int64`)]))));
    `Running`; `tslots0`; dif_num dynsz; `0`]) in
  let fuel = string_of_int (length text + 2) in
  list_mk_comb (`dif_runs`, [mk_list (map dif_num text, `:num`);
                             dif_num runs; dif_num fuel; st]);;

let dif_run_case (lines : string list list) =
  let get k = try assoc k (map (fun l -> hd l, tl l) lines) with _ -> [] in
  let hdr = Array.of_list (get "case") in
  let strsize = hdr.(2) and isstr = hdr.(5) = "1" in
  let text = get "text" in
  let tm = dif_case_term lines in
  dif_prepare_text (map int_of_string text);
  let run = dif_eval_run tm in
  dif_last_run := run;
  let status = rand (concl (dif_eval_of run `s_status`)) in
  let num_of t = Num.string_of_num (dest_numeral t) in
  let wnum t = num_of (rand t) in
  let drops = num_of (rand (concl (dif_eval_of run `s_drops`))) in
  let dr = if drops = "0" then "" else " D " ^ drops in
  (* the digest of the observed registers' strings (dif_digest, dif.ml) *)
  let observe = match get "observe" with [m] -> m | _ -> "0" in
  match strip_comb status with
  | c, [v] when fst (dest_const c) = "Returned" ->
      let dr = if observe = "0" then dr else
        dr ^ " G " ^ wnum (rand (concl (dif_eval_of run
          (mk_abs (`s:dif_state`, list_mk_comb (`dif_digest`, [`s:dif_state`; dif_num observe])))))) in
      if isstr && wnum v <> "0" then
        let bs = rand (concl (dif_eval_of run
                   (mk_abs (`s:dif_state`, list_mk_comb (`str_bytes`, [`s:dif_state`; v; dif_num strsize]))))) in
        let hex = String.concat "" (map (fun b ->
          Printf.sprintf "%02x" (Num.int_of_num (dest_numeral (rand b)))) (dest_list bs)) in
        "R " ^ wnum v ^ dr ^ " S " ^ (if hex = "" then "-" else hex)
      else "R " ^ wnum v ^ dr
  | c, [code; a; pc] when fst (dest_const c) = "Faulted" ->
      "F " ^ num_of code ^ " " ^ wnum a ^ " " ^ num_of pc ^ dr
  | c, [n] when fst (dest_const c) = "Unsup" -> "U " ^ num_of n
  | _ -> "E not evaluated: " ^ string_of_term status;;

let dif_serve_on ic oc =
  output_string oc "@@ READY\n"; flush oc;
  let rec loop acc =
    match (try Some (input_line ic) with End_of_file -> None) with
    | None -> ()
    | Some l ->
        let w = dif_words l in
        if w = [] then loop acc
        else if hd w = "end" then begin
          let reply = try dif_run_case (rev acc) with e -> "E " ^ Printexc.to_string e in
          output_string oc ("@@ " ^ reply ^ "\n"); flush oc; loop []
        end else if hd w = "quit" then ()
        else loop (w :: acc) in
  loop [];;
let dif_serve () = dif_serve_on stdin stdout; exit 0;;
(* one front end session over FIFOs DIR/in and DIR/out (DIF_HOL_ATTACH) *)
let dif_serve_fifo dir =
  let oc = open_out (dir ^ "/out") in
  let ic = open_in (dir ^ "/in") in
  dif_serve_on ic oc; close_in ic; close_out oc;;
