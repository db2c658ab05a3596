(* ./dev hol: load the whole theory, prove every theorem, evaluate a sample
   program, and report. dif_dir is set by the caller. *)
#load "unix.cma";;
#load "str.cma";;
let dif_files_ok = ref 0;;
loadt "Library/words.ml";;
loadt (dif_dir ^ "/dif.ml");;
incr dif_files_ok;;
loadt (dif_dir ^ "/cases.ml");;
incr dif_files_ok;;
let () = try dif_write_cases (Sys.getenv "DIF_HOL_CASES") with Not_found -> ();;
let () = try dif_write_coverage (Sys.getenv "DIF_HOL_COVERAGE") with Not_found -> ();;
loadt (dif_dir ^ "/theorems.ml");;
incr dif_files_ok;;
loadt (dif_dir ^ "/eval.ml");;
incr dif_files_ok;;
loadt (dif_dir ^ "/subr_thms.ml");;
incr dif_files_ok;;
loadt (dif_dir ^ "/server.ml");;
incr dif_files_ok;;
loadt (dif_dir ^ "/selftest.ml");;
incr dif_files_ok;;
loadt (dif_dir ^ "/derive.ml");;
incr dif_files_ok;;
let () = try derive_all (Sys.getenv "DIF_HOL_DERIVE") with Not_found -> ();;
let () =
  let files_failed = 8 - !dif_files_ok in
  let failed = length !dif_failed + files_failed in
  if files_failed > 0 then
    Printf.printf "hol: %d of 8 theory files did not load\n" files_failed;
  List.iter (fun (n, _) -> Printf.printf "hol: theorem %s\n" n) (rev !dif_thms);
  Printf.printf "hol: %d sample programs evaluated as expected\n" !dif_nevals;
  Printf.printf "hol: %d definitions, %d theorems, %d failed\n%!"
    !dif_ndefs (length !dif_thms) failed;
  exit (if failed = 0 then 0 else 1);;
