(* Evaluates sample programs in HOL and checks the outcomes (part of ./dev hol). *)
let dif_nevals = ref 0;;
let dif_selftest (name, text, ints, want) =
  let l = [["case";"0";"0";"256";"65536";"1";"0";"0"]; "text" :: text; "inttab" :: ints;
           ["args";"0";"0";"0";"0";"0";"0";"0";"0";"0";"0"]] in
  let got = try dif_run_case l with e -> "E " ^ Printexc.to_string e in
  if got = want then incr dif_nevals
  else dif_fail ("selftest " ^ name) (Failure ("got " ^ got ^ ", want " ^ want));;
List.iter dif_selftest [
  ("add", ["620756993";"620757250";"117506563";"587202563"], ["5";"7"], "R 12");
  ("sdiv0", ["620756993";"620757250";"151060995";"587202563"], ["5";"0"], "F 4 0 2");
  ("sdivovf", ["620756993";"620757250";"151060995";"587202563"], ["9223372036854775808";"18446744073709551615"], "F 4 0 2");
  ("sll65", ["620756993";"620757250";"67174915";"587202563"], ["3";"65"], "R 6");
  ("cmpbl", ["620756993";"620757250";"251724288";"402653189";"587202562";"587202561"], ["1";"2"], "R 1");
  ("allocs", ["620756993";"973144066";"973144067";"587202563"], ["3"], "R 15127872623314206728");
  ("stld", ["620756993";"973144066";"1057030146";"570556419";"587202563"], ["8"], "R 8");
  ("tup", ["822083585";"822083585";"822083585";"822083585";"822083585";"822083585";"822083585";"822083585";"822083585";"587202561"], [], "F 8 0 8");
  (* subroutines: htonll; htons of a popped (stale) argument; FreeBSD getmajor keeps rd *)
  ("htonll", ["620756993";"855638016";"822083585";"788538626";"587202562"], ["72623859790382856"], "R 578437695752307201");
  ("stale", ["620756993";"822083585";"838860800";"788538114";"587202562"], ["4660"], "R 13330");
  ("getmajor", ["620756994";"788534274";"587202562"], ["7"], "R 7");
  (* dynamic variables and scmp: stts then ldts of thread-local 0x500;
     ldgaa of 0x501 writes its key entry (1) into tuple register 0, which
     a following call reads as its argument (htons 1 = 256); scmp of two
     NULLs is equal *)
  ("stts-ldts", ["620756993";"755302401";"738525186";"587202562"], ["42"], "R 42");
  ("ldgaa-call", ["872743170";"788538115";"587202563"], [], "R 256");
  ("scmp-null", ["620756993";"654311424";"301989892";"587202560";"587202561"], ["5"], "R 5")];;
(* string subroutines and the digest: strlen of "hello" in the string
   table; lltostr(-42) at the end of its 65-byte scratch buffer, returned
   as a string and digested (observe %r2: 2, "-42", 0) *)
let dif_selftest_str (name, text, ints, extra, want) =
  let l = [["case";"0";"0";"256";"65536";"1";(if extra = [] then "0" else "1");"0"];
           "text" :: text; "inttab" :: ints;
           ["args";"0";"0";"0";"0";"0";"0";"0";"0";"0";"0"];
           ["strtab";"68656c6c6f00"]] @ extra in
  let got = try dif_run_case l with e -> "E " ^ Printexc.to_string e in
  if got = want then incr dif_nevals
  else dif_fail ("selftest " ^ name) (Failure ("got " ^ got ^ ", want " ^ want));;
List.iter dif_selftest_str [
  ("strlen", ["637534209";"822083585";"788532226";"587202562"], [], [], "R 5");
  ("lltostr", ["620756993";"822083585";"788535298";"587202562"], ["18446744073709551574"],
   [["observe";"4"]], "R 15127872623314206781 G 6921719614633890886 S 2d3432")];;
