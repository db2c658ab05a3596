(* ========================================================================= *)
(* String subroutines (dif-isa.md 6): the cases of spec/subr_table.inc for   *)
(* strlen, strchr, strrchr, toupper, tolower, lltostr and strjoin, same     *)
(* names, same order, same CX chaining. Loaded by cases.ml after subr.ml.   *)
(*                                                                           *)
(* A string argument is checked as strcanload does (4.3, bounded by         *)
(* strsize): vs_cls of cases.ml, 0 ok, 1 KPRIV, 2 silent, 3 BADADDR. The    *)
(* subroutines that measure first (toupper, tolower; emulator-facts.md 2)   *)
(* measure with safe byte loads up to strsize, then check canload on the    *)
(* measured length + 1. strlen, strchr and strrchr read on to strcanload's  *)
(* limit: strsize with kernel visibility, else the rest of the region       *)
(* (docs/conventions.md Decisions 24, 30). A string result is written at    *)
(* the scratch pointer (not aligned) and the pointer moves by its buffer.   *)
(* ========================================================================= *)

(* string checks and scans that several chained guards share: evaluated
   once per argument list (eval.ml's memo conversion); not rewrite rules *)
let dif_str_memo = ref ([] : thm list);;
let mdef tm = let th = ddef tm in (dif_str_memo := th :: !dif_str_memo; th);;

(* strcanload's class of the string at a *)
let stcls = mdef `stcls s (a:int64) = vs_cls s (s_strsize s) T a`;;
(* the bytes strcanload reads: strsize with kernel visibility, else also
   at most the rest of the loadable region *)
let stlim = sdef
  `stlim s (a:int64) = if kpriv s then s_strsize s else MIN (s_strsize s) (cl_rem s a)`;;
(* (T, length) or (F, first unreadable byte) of that read *)
let stscan = mdef `stscan s (a:int64) = sscan s a 0 (stlim s a)`;;
let stlen = sdef `stlen s (a:int64) = SND (stscan s a)`;;
(* strcanload's limit (its remain): strsize with kernel visibility, else
   every byte left in the region, not cut to strsize (Decision 24) *)
let slimb = sdef
  `slimb s (a:int64) = if kpriv s then s_strsize s else cl_rem s a`;;
(* (the evaluation is call by value: a conjunction evaluates both sides,
   a conditional only the branch taken, so the long scans stand behind
   conditionals; a let evaluates its value once, before the body) *)
(* without kernel visibility, strlen and strrchr read on past the first
   strsize bytes (no NUL there) to the limit *)
let lscan = mdef
  `lscan s (a:int64) =
     sscan s (word_add a (word (s_strsize s))) (s_strsize s) (cl_rem s a - s_strsize s)`;;
let slimbad = sdef
  `slimbad s (a:int64) <=>
     if ~kpriv s /\ stcls s a = 0 /\ s_strsize s <= stlen s a then ~FST (lscan s a) else F`;;
let slenlim = sdef
  `slenlim s (a:int64) =
     if kpriv s \/ stlen s a < s_strsize s then stlen s a else SND (lscan s a)`;;

(* strchr: the first byte t from a, n bytes at most, stopping at the NUL
   (which matches t = 0): (0, 0) none, (1, byte) unreadable, (2, address) *)
let chrs = sdefine
  `chrs s (a:int64) t n =
     if n = 0 then (0, word 0:int64) else
     if ~readable s 0 a 1 then (1, a) else
     let c = mem_num s 0 a 1 in
     if c = t then (2, a) else
     if c = 0 then (0, word 0) else chrs s (word_add a (word 1)) t (n - 1)`;;
let chr_res = mdef
  `chr_res s (a:int64) (c:int64) = chrs s a (val c MOD 256) (slimb s a)`;;
(* strrchr: the last byte t before the NUL (the NUL itself for t = 0); r
   the last one found so far; an unreadable byte reads as 0 *)
let rchrs = sdefine
  `rchrs s (a:int64) t n (r:int64) =
     if n = 0 then r else
     let c = mem_num s 0 a 1 in
     if c = t then (if c = 0 then a else rchrs s (word_add a (word 1)) t (n - 1) a) else
     if c = 0 then r else rchrs s (word_add a (word 1)) t (n - 1) r`;;
let rchr_res = mdef
  `rchr_res s (a:int64) (c:int64) = rchrs s a (val c MOD 256) (slimb s a) (word 0)`;;

(* measuring (safe byte loads up to strsize) *)
let mscan = mdef `mscan s (a:int64) = sscan s a 0 (s_strsize s)`;;
let mlen = sdef `mlen s (a:int64) = SND (mscan s a)`;;

let bcase = sdef
  `bcase up (b:byte) =
     if up /\ 97 <= val b /\ val b <= 122 then word (val b - 32) else
     if ~up /\ 65 <= val b /\ val b <= 90 then word (val b + 32) else b`;;
let bmap = sprim list_RECURSION
  `(bmap up [] = []) /\ (bmap up (CONS h t) = CONS (bcase up h) (bmap up t))`;;

(* a string result: the bytes l (NUL included) at offset off of a fresh
   buffer of n bytes at the scratch pointer; R[rd] = their address *)
let sres = sdef
  `sres s i (l:byte list) n off =
     next (set_rd (i_rd i) (word (dif_va_scratch + s_sptr s + off))
       (s_set_sptr (s_sptr s + n)
         (mem_write (word (dif_va_scratch + s_sptr s + off)) l s)))`;;
let nofit = sdef `nofit s n <=> s_ssize s - s_sptr s < n`;;

(* lltostr: the base is an int (the argument's low 32 bits; 10 when only
   one value was pushed); digits most significant first, lower case *)
let lbase = sdef
  `lbase s = if 1 < llen (s_tstack s) then val (targ s 1) MOD 4294967296 else 10`;;
let dch = sdef `dch d = word (if d < 10 then 48 + d else 87 + d):byte`;;
let ldig = sdefine
  `ldig k b v (acc:byte list) =
     if k = 0 then acc else
     if v < b then CONS (dch v) acc else ldig (k - 1) b (v DIV b) (CONS (dch (v MOD b)) acc)`;;
let ltext = sdef
  `ltext s =
     let b = lbase s and v = targ s 0 in
     let neg = (b = 10 /\ bit 63 v) in
     APPEND (if neg then [word 45] else [])
       (APPEND (if b = 16 then [word 48; word 120]
                else if b = 8 /\ ~(v = word 0) then [word 48] else [])
          (ldig 64 b (if neg then val (word_sub (word 0) v) else val v) []))`;;

(* strjoin with kernel visibility: a then b byte by byte, each byte only
   while the result is below strsize (f bytes left): (0, _, f left) done,
   (1, byte, _) unreadable, (2, _, _) too long *)
let jkf = sdefine
  `jkf s (a:int64) f =
     if f = 0 then (2, a, 0) else
     if ~readable s 0 a 1 then (1, a, f) else
     if mem_num s 0 a 1 = 0 then (0, a, f) else jkf s (word_add a (word 1)) (f - 1)`;;
let jkern = mdef
  `jkern s (a:int64) (b:int64) =
     let r = jkf s a (s_strsize s) in
     if FST r = 0 then jkf s b (SND (SND r)) else r`;;
(* what the kernel-badaddr path leaves at the scratch pointer (Decision
   14): a's bytes before the fault and a NUL, or a, b's bytes before the
   fault and a NUL *)
let jkbytes = sdef
  `jkbytes s (a:int64) (b:int64) =
     let f = SND (SND (jkf s a (s_strsize s))) in
     if FST (jkf s a (s_strsize s)) = 1 then APPEND (rbytes s a (s_strsize s - f)) [word 0]
     else APPEND (rbytes s a (s_strsize s - f))
            (APPEND (rbytes s b (f - SND (SND (jkf s b f)))) [word 0])`;;
let jbytes = sdef
  `jbytes s (a:int64) (b:int64) =
     APPEND (rbytes s a (stlen s a)) (APPEND (rbytes s b (stlen s b)) [word 0])`;;

(* ---- effects ---- *)
let () =
  let a k = "(targ s " ^ string_of_int k ^ ")" in
  let rdv v = "next (set_rd (i_rd i) (" ^ v ^ ") s)" in
  let rd0 f = f ^ " (set_rd (i_rd i) (word 0) s)" in
  (* strcanload's fault: KPRIV at the string, else BADADDR at the byte *)
  List.iter (fun k ->
    eff ("str_fault" ^ string_of_int k)
      ("if stcls s " ^ a k ^ " = 1 then " ^ rd0 ("fault 6 " ^ a k) ^
       " else " ^ rd0 ("fault 1 (word (SND (stscan s " ^ a k ^ ")))"))) [0; 1];
  eff "str_limbad" (rd0 ("fault 1 (word (SND (lscan s " ^ a 0 ^ ")))"));
  eff "str_strlen" (rdv ("word (slenlim s " ^ a 0 ^ ")"));
  eff "str_chrbad" (rd0 ("fault 1 (SND (chr_res s " ^ a 0 ^ " " ^ a 1 ^ "))"));
  eff "str_strchr" (rdv ("SND (chr_res s " ^ a 0 ^ " " ^ a 1 ^ ")"));
  eff "str_strrchr" (rdv ("rchr_res s " ^ a 0 ^ " " ^ a 1));
  (* toupper, tolower: with kernel visibility and strsize bytes of scratch
     the write loop runs and stores one NUL at the pointer (Decision 14) *)
  eff "str_mbad" ("fault 1 (word (SND (mscan s " ^ a 0 ^ "))) (set_rd (i_rd i) (word 0) " ^
                  "(if kpriv s /\\ ~nofit s (s_strsize s) " ^
                  "then mem_write (word (dif_va_scratch + s_sptr s)) [word 0] s else s))");
  eff "str_mkpriv" (rd0 ("fault 6 " ^ a 0));
  List.iter (fun (n, up) ->
    eff n ("sres s i (APPEND (bmap " ^ up ^ " (rbytes s " ^ a 0 ^ " (MIN (mlen s " ^ a 0 ^
           ") (s_strsize s - 1)))) [word 0]) (s_strsize s) 0"))
    ["str_toupper", "T"; "str_tolower", "F"];
  eff "str_lltostr" "sres s i (APPEND (ltext s) [word 0]) 65 (65 - (llen (ltext s) + 1))";
  eff "str_jkbad" ("fault 1 (FST (SND (jkern s " ^ a 0 ^ " " ^ a 1 ^ "))) " ^
                   "(set_rd (i_rd i) (word 0) (mem_write (word (dif_va_scratch + s_sptr s)) " ^
                   "(jkbytes s " ^ a 0 ^ " " ^ a 1 ^ ") s))");
  (* exact fit: the bytes are written, R[rd] and the pointer stay *)
  eff "str_jexact" ("next (mem_write (word (dif_va_scratch + s_sptr s)) (jbytes s " ^
                    a 0 ^ " " ^ a 1 ^ ") s)");
  eff "str_join" ("sres s i (jbytes s " ^ a 0 ^ " " ^ a 1 ^ ") (stlen s " ^ a 0 ^
                  " + stlen s " ^ a 1 ^ " + 1) 0")
;;

(* ---- the rows, in the order of spec/subr_table.inc ---- *)
let () =
  let a k = "(targ s " ^ string_of_int k ^ ")" in
  let cls k v = "stcls s " ^ a k ^ " = " ^ string_of_int v in
  (* STRCHK / STRCHKL of spec/subr_table.inc *)
  let strchk sub n k an nk =
    let f = "str_fault" ^ string_of_int k in
    cs sub n (an ^ "-kpriv") (cls k 1) f;
    cs sub n (an ^ "-silent") (cls k 2) "rd_zero";
    cs sub n (an ^ "-badaddr") ((if nk then "~kpriv s /\\ " else "") ^ cls k 3) f in
  let measured1 sub n an =
    cs sub n "badaddr" ("~FST (mscan s " ^ a 0 ^ ")") "str_mbad";
    cs sub n (an ^ "-kpriv") ("~canload s " ^ a 0 ^ " (mlen s " ^ a 0 ^ " + 1)") "str_mkpriv" in
  let noscr sub n need = cs sub n "noscratch" ("nofit s " ^ need) "noscratch_rd0" in
  (* strlen *)
  strchk (12, 12) "strlen" 0 "s" false;
  cs (12, 12) "strlen" "limit-badaddr" ("slimbad s " ^ a 0) "str_limbad";
  cs (12, 12) "strlen" "length" "T" "str_strlen";
  (* strjoin *)
  let j = "jkern s " ^ a 0 ^ " " ^ a 1 in
  cs (23, 23) "strjoin" "kernel-noscratch" "kpriv s /\\ nofit s (s_strsize s)" "noscratch_rd0";
  cs (23, 23) "strjoin" "kernel-badaddr" ("if kpriv s then FST (" ^ j ^ ") = 1 else F") "str_jkbad";
  strchk (23, 23) "strjoin" 0 "a" false;
  strchk (23, 23) "strjoin" 1 "b" true;
  noscr (23, 23) "strjoin" "(s_strsize s)";
  cs (23, 23) "strjoin" "too-long"
    ("if kpriv s then FST (" ^ j ^ ") = 2 else s_strsize s < stlen s " ^ a 0 ^
     " + stlen s " ^ a 1 ^ " + 1") "noscratch_rd0";
  cs (23, 23) "strjoin" "exact-fit"
    ("stlen s " ^ a 0 ^ " + stlen s " ^ a 1 ^ " + 1 = s_strsize s") "str_jexact";
  cs (23, 23) "strjoin" "join" "T" "str_join";
  (* lltostr *)
  cs (24, 24) "lltostr" "illop" "lbase s < 2 \\/ 36 < lbase s" "illop";
  noscr (24, 24) "lltostr" "65";
  cs (24, 24) "lltostr" "convert" "T" "str_lltostr";
  (* strchr, strrchr *)
  strchk (28, 28) "strchr" 0 "s" true;
  cs (28, 28) "strchr" "read-badaddr" ("FST (chr_res s " ^ a 0 ^ " " ^ a 1 ^ ") = 1") "str_chrbad";
  cs (28, 28) "strchr" "notfound" ("FST (chr_res s " ^ a 0 ^ " " ^ a 1 ^ ") = 0") "rd_zero";
  cs (28, 28) "strchr" "found" "T" "str_strchr";
  strchk (29, 29) "strrchr" 0 "s" false;
  cs (29, 29) "strrchr" "limit-badaddr" ("slimbad s " ^ a 0) "str_limbad";
  cs (29, 29) "strrchr" "notfound" ("rchr_res s " ^ a 0 ^ " " ^ a 1 ^ " = word 0") "rd_zero";
  cs (29, 29) "strrchr" "found" "T" "str_strrchr";
  (* toupper, tolower *)
  List.iter (fun (k, n) ->
    measured1 (k, k) n "s";
    noscr (k, k) n "(s_strsize s)";
    cs (k, k) n "convert" "T" ("str_" ^ n)) [44, "toupper"; 45, "tolower"]
;;

dif_loaded := "strs.ml" :: !dif_loaded;;
