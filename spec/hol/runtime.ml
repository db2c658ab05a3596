(* Loaded by hol-frontend (spec/hol/runtime): the theory, the evaluator and
   the case server. dif_dir is set by the front end. *)
loadt "Library/words.ml";;
loadt (dif_dir ^ "/dif.ml");;
loadt (dif_dir ^ "/cases.ml");;
loadt (dif_dir ^ "/eval.ml");;
loadt (dif_dir ^ "/server.ml");;
dif_serve ();;
