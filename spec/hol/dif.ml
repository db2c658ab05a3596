(* ========================================================================= *)
(* DIF in HOL Light: state, instruction cases (guard + effect) named as in   *)
(* spec/cases.c, and the step function. The reference facts (dif-isa.md and  *)
(* emulator-facts.md) decide the semantics; this file is their formal        *)
(* statement. Loaded after Library/words.ml by spec/hol/check.ml (./dev hol) *)
(* and spec/hol/server.ml (the runtime).                                     *)
(* ========================================================================= *)

(* Every definition and theorem goes through these, so that ./dev hol can    *)
(* count them and report failures instead of stopping at the first one.     *)
let dif_ndefs = ref 0;;
let dif_failed = ref ([]:string list);;
let dif_fail name e =
  dif_failed := name :: !dif_failed;
  Format.print_string ("FAILED " ^ name ^ ": " ^ Printexc.to_string e);
  Format.print_newline ();;
let ddef tm =
  let th = new_definition tm in (incr dif_ndefs; th);;
let drec tm =
  let th = define tm in (incr dif_ndefs; th);;
(* structural recursion over a datatype (fast, no termination proof) *)
let dprim rth tm =
  let th = new_recursive_definition rth tm in (incr dif_ndefs; th);;
let dtype s =
  let r = define_type s in (incr dif_ndefs; r);;

(* ------------------------------------------------------------------------- *)
(* Memory: regions with access rights. Contents are a dense byte list plus   *)
(* an overlay of writes (newest first) so that large scratch areas stay      *)
(* small terms.                                                              *)
(* ------------------------------------------------------------------------- *)

let dif_wr_INDUCT, dif_wr_RECURSION = dtype
  "dif_wr = WrBytes num (byte list) | WrZero num num";;

(* base, size, address space (0 kernel, 1 user), rights, bytes, overlay.
   rights bits: 1 readable, 2 canload, 4 canstore, 8 toxic, 16 VM window
   object (string table, scratch), 32 canload needs proc privilege
   (thread structures, emulator-facts.md 3) *)
let dif_region_INDUCT, dif_region_RECURSION = dtype
  "dif_region = DifRegion int64 num num num (byte list) (dif_wr list)";;

(* A record type: "name = Con T1 .. Tn" with field names f1 .. fn becomes a
   type abbreviation for the tuple T1 # .. # Tn, Con x1 .. xn builds it, and
   s_<f> and s_set_<f> read and replace a field. Returns what a one-
   constructor datatype would give: the case theorem
   !P. (!x1 .. xn. P (Con x1 .. xn)) ==> !s. P s, and the equations of the
   accessors and updaters on Con x1 .. xn. (define_type proves the same
   for a 22-argument constructor in about 100 s, most of the runtime's
   start-up; the tuple needs no new type.) *)
let drecord decl fields =
  let i = String.index decl '=' in
  let name = String.trim (String.sub decl 0 i)
  and rhs = String.sub decl (i + 1) (String.length decl - i - 1) in
  let n = String.length rhs in
  let rec close j d =
    match rhs.[j] with
    | '(' -> close (j + 1) (d + 1)
    | ')' -> if d = 1 then j else close (j + 1) (d - 1)
    | _ -> close (j + 1) d in
  let rec stop j = if j < n && not (String.contains " \n\t\r(" rhs.[j]) then stop (j + 1) else j in
  let rec toks j acc =
    if j >= n then rev acc
    else if String.contains " \n\t\r" rhs.[j] then toks (j + 1) acc
    else if rhs.[j] = '(' then let k = close j 0 in toks (k + 1) (String.sub rhs j (k - j + 1) :: acc)
    else let k = stop j in toks k (String.sub rhs j (k - j) :: acc) in
  let con, tys = match toks 0 [] with c :: ts -> c, map parse_type ts | [] -> failwith "drecord" in
  let m = length tys in
  if m <> length fields || m < 2 then failwith "drecord: fields";
  let ty = end_itlist (fun a b -> mk_type ("prod", [a; b])) tys in
  new_type_abbrev (name, ty);
  let xs = map2 (fun k t -> mk_var ("x" ^ string_of_int k, t)) (1 -- m) tys in
  let cdef = ddef (mk_eq (list_mk_comb (mk_var (con, itlist mk_fun_ty tys ty), xs),
                          end_itlist (curry mk_pair) xs)) in
  let c = mk_const (con, []) in
  let pat = list_mk_comb (c, xs) and s = mk_var ("s", ty) in
  let rec proj k r t =
    if r = 1 then t else if k = 0 then mk_icomb (`FST:A#B->A`, t)
    else proj (k - 1) (r - 1) (mk_icomb (`SND:A#B->B`, t)) in
  let ks = 0 -- (m - 1) in
  let adefs = map2 (fun f k ->
    let a = mk_var ("s_" ^ f, mk_fun_ty ty (el k tys)) in
    ddef (mk_eq (mk_comb (a, s), proj k m s))) fields ks in
  let acc f = mk_const ("s_" ^ f, []) in
  let accs = map2 (fun f x ->
    prove (mk_eq (mk_comb (acc f, pat), x), REWRITE_TAC (cdef :: FST :: SND :: adefs)))
    fields xs in
  let upds = map2 (fun f k ->
    let y = mk_var ("y", el k tys) in
    let u = mk_var ("s_set_" ^ f, mk_fun_ty (el k tys) (mk_fun_ty ty ty)) in
    let repl l = map2 (fun j a -> if j = k then y else a) ks l in
    let udef = ddef (mk_eq (list_mk_comb (u, [y; s]),
                            list_mk_comb (c, repl (map (fun g -> mk_comb (acc g, s)) fields)))) in
    prove (mk_eq (list_mk_comb (mk_const ("s_set_" ^ f, []), [y; pat]),
                  list_mk_comb (c, repl xs)), REWRITE_TAC (udef :: accs))) fields ks in
  let p = mk_var ("P", mk_fun_ty ty bool_ty) in
  let whole = mk_eq (s, list_mk_comb (c, map (fun f -> mk_comb (acc f, s)) fields)) in
  let induct = prove
    (mk_forall (p, mk_imp (list_mk_forall (xs, mk_comb (p, pat)), mk_forall (s, mk_comb (p, s)))),
     GEN_TAC THEN DISCH_TAC THEN GEN_TAC THEN
     SUBGOAL_THEN whole SUBST1_TAC THENL
      [REWRITE_TAC (cdef :: PAIR :: adefs); ASM_REWRITE_TAC []]) in
  induct, accs, upds;;

let dif_status_INDUCT, dif_status_RECURSION = dtype
  "dif_status = Running | Returned int64 | Faulted num int64 num | Unsup num";;

(* The architectural state. Fields, in order:
   prof (0 FreeBSD, 1 illumos), deny (1 kernel, 2 proc, 4 owner,
   8 destructive), strsize, regs (r0..r7), N, Z, V, C, pc,
   tstack (top first: value, size), vars (scope, id, kind + 8 * type size,
   value; kind bits 1 by-ref, 2 NULL marker, 4 string; scope 0 global,
   1 thread, 2 local),
   dvars (dynamic variables, thread-local and associative elements: key
   entries (value, size, bytes of a by-ref entry as a little-endian number),
   data value),
   mem (regions), ssize (scratch bytes), sptr (scratch pointer offset),
   inttab, args, bvars (integer built-ins given: id, value),
   bstrs (string built-ins given: id, length), tkey (thread key), status,
   tslots (the whole tuple array: the 8 tuple registers + the 2 hidden
   ones, in index = push order, stale entries included: a pop only lowers
   the top, CALL reads its arguments from the slots, the dynamic variable
   instructions write their key entries past the top, dif-isa.md 2.7-2.9),
   dynsz (dynamic variable arena bytes), drops (dynamic variable drops,
   all runs) *)
let dif_state_decl =
  "dif_state = DifState num num num (int64 list) bool bool bool bool num
     ((int64#int64) list) ((num#num#num#int64) list)
     (((int64#int64#num) list # int64) list) (dif_region list) num num
     (int64 list) (int64 list) ((num#int64) list) ((num#num) list) int64
     dif_status ((int64#int64) list) num num";;

let dif_fields = ["prof";"deny";"strsize";"regs";"ccn";"ccz";"ccv";"ccc";
  "pc";"tstack";"vars";"dvars";"mem";"ssize";"sptr";"inttab";"args";
  "bvars";"bstrs";"tkey";"status";"tslots";"dynsz";"drops"];;

(* accessors s_<field>, updaters s_set_<field>, and the case theorem *)
let dif_state_INDUCT, dif_accessors, dif_updaters =
  drecord dif_state_decl dif_fields;;

(* Decoded instruction: op, r1, r2, rd, label, idx (dif-isa.md 1). *)
let dif_insn_INDUCT, dif_insn_RECURSION = dtype
  "dif_insn = Insn num num num num num num";;
let i_op = dprim dif_insn_RECURSION `i_op (Insn p a b d l x) = p`;;
let i_r1 = dprim dif_insn_RECURSION `i_r1 (Insn p a b d l x) = a`;;
let i_r2 = dprim dif_insn_RECURSION `i_r2 (Insn p a b d l x) = b`;;
let i_rd = dprim dif_insn_RECURSION `i_rd (Insn p a b d l x) = d`;;
let i_label = dprim dif_insn_RECURSION `i_label (Insn p a b d l x) = l`;;
let i_idx = dprim dif_insn_RECURSION `i_idx (Insn p a b d l x) = x`;;
let dif_decode = ddef
  `dif_decode w = Insn (w DIV 16777216) ((w DIV 65536) MOD 256)
     ((w DIV 256) MOD 256) (w MOD 256) (w MOD 16777216)
     ((w DIV 256) MOD 65536)`;;

(* ------------------------------------------------------------------------- *)
(* List helpers (primitive recursive, evaluated by the runtime).            *)
(* ------------------------------------------------------------------------- *)

let nth_or = dprim list_RECURSION
  `(nth_or (d:A) n [] = d) /\
   (nth_or d n (CONS h t) = if n = 0 then h else nth_or d (n - 1) t)`;;
let upd_nth = dprim list_RECURSION
  `(upd_nth n (v:A) [] = []) /\
   (upd_nth n v (CONS h t) = if n = 0 then CONS v t
                             else CONS h (upd_nth (n - 1) v t))`;;
let llen = dprim list_RECURSION
  `(llen ([]:A list) = 0) /\ (llen (CONS h t) = llen t + 1)`;;
let ltl = dprim list_RECURSION `(ltl ([]:A list) = []) /\ (ltl (CONS h t) = t)`;;
let alookup = drec
  `(alookup (k:num) (d:B) [] = d) /\
   (alookup k d (CONS (x,y) t) = if x = k then y else alookup k d t)`;;
let amem = drec
  `(amem (k:num) ([]:(num#B) list) <=> F) /\
   (amem k (CONS (x,y) t) <=> x = k \/ amem k t)`;;

(* ------------------------------------------------------------------------- *)
(* Constants: the canonical VM window (docs/conventions.md 1, spec/case.h).  *)
(* ------------------------------------------------------------------------- *)

let dif_va_strtab = ddef `dif_va_strtab = 15127591148337496064`;;
let dif_va_scratch = ddef `dif_va_scratch = 15127872623314206720`;;
let dif_va_end = ddef `dif_va_end = 15128998523221049344`;;
let dif_int64_min = ddef `dif_int64_min = 9223372036854775808`;;

(* fault codes, dif-isa.md 4.1 *)
let dif_fault_codes = ddef
  `dif_fault_codes = (1, 2, 3, 4, 5, 6, 7, 8, 9)`;;
(* BADADDR 1, BADALIGN 2, ILLOP 3, DIVZERO 4, NOSCRATCH 5, KPRIV 6, UPRIV 7,
   TUPOFLOW 8, BADSTACK 9 *)

(* ------------------------------------------------------------------------- *)
(* Registers, flags, faults, privileges.                                     *)
(* ------------------------------------------------------------------------- *)

let reg = ddef
  `reg r s = if r = 0 then (word 0:int64) else nth_or (word 0) r (s_regs s)`;;
let set_rd = ddef
  `set_rd r (v:int64) s =
     if r = 0 then s else s_set_regs (upd_nth r v (s_regs s)) s`;;
let next = ddef `next s = s_set_pc (s_pc s + 1) s`;;
let fault = ddef
  `fault code (a:int64) s = s_set_status (Faulted code a (s_pc s)) s`;;
let unsup = ddef `unsup n s = s_set_status (Unsup n) s`;;
let bitset = ddef `bitset n k <=> (n DIV k) MOD 2 = 1`;;
let kpriv = ddef `kpriv s <=> ~bitset (s_deny s) 1`;;
let ppriv = ddef `ppriv s <=> ~bitset (s_deny s) 2`;;
let setcc = ddef
  `setcc n z v c s = s_set_ccn n (s_set_ccz z (s_set_ccv v (s_set_ccc c s)))`;;
let R1 = ddef `R1 s i = reg (i_r1 i) s`;;
let R2 = ddef `R2 s i = reg (i_r2 i) s`;;
let RD = ddef `RD s i = reg (i_rd i) s`;;

(* ------------------------------------------------------------------------- *)
(* Regions and access predicates (dif-isa.md 2.4, 2.5, 4.3).                 *)
(* ------------------------------------------------------------------------- *)

let r_base = dprim dif_region_RECURSION `r_base (DifRegion b n p r l ov) = b`;;
let r_size = dprim dif_region_RECURSION `r_size (DifRegion b n p r l ov) = n`;;
let r_space = dprim dif_region_RECURSION `r_space (DifRegion b n p r l ov) = p`;;
let r_flag = dprim dif_region_RECURSION `r_flag k (DifRegion b n p r l ov) <=> bitset r k`;;
let r_off = ddef `r_off (a:int64) rg = val (word_sub a (r_base rg))`;;
let r_has = ddef `r_has a rg <=> r_off a rg < r_size rg`;;
let r_rem = ddef `r_rem a rg = r_size rg - r_off a rg`;;

let find_reg = dprim list_RECURSION
  `(find_reg P (a:int64) [] = NONE) /\
   (find_reg P a (CONS rg t) =
      if P rg /\ r_has a rg then SOME rg else find_reg P a t)`;;
let any_toxic = dprim list_RECURSION
  `(any_toxic sp (a:int64) w [] <=> F) /\
   (any_toxic sp a w (CONS rg t) <=>
      (r_flag 8 rg /\ r_space rg = sp /\
       val a < val (r_base rg) + r_size rg /\ val (r_base rg) < val a + w) \/
      any_toxic sp a w t)`;;
let in_window = ddef
  `in_window (a:int64) <=> dif_va_strtab <= val a /\ val a < dif_va_end`;;
let vm_obj = ddef `vm_obj rg <=> r_flag 16 rg /\ r_flag 1 rg`;;
let host_obj = ddef
  `host_obj sp rg <=> r_space rg = sp /\ r_flag 1 rg /\ ~r_flag 16 rg`;;

(* the object an access of w bytes at a in space sp reads from *)
let reg_for = ddef
  `reg_for s sp a w =
     if sp = 0 /\ in_window a then find_reg vm_obj a (s_mem s)
     else if any_toxic sp a (MAX w 1) (s_mem s) then NONE
     else find_reg (host_obj sp) a (s_mem s)`;;
let fits = dprim option_RECURSION
  `(fits (a:int64) w NONE <=> F) /\ (fits a w (SOME rg) <=> w <= r_rem a rg)`;;
let readable = ddef
  `readable s sp (a:int64) w <=> val a + w < 2 EXP 64 /\ fits a w (reg_for s sp a w)`;;
(* emulator-facts.md 4: the illegal address is the first unreadable byte;
   an access overlapping a toxic range reports its own address (dif-isa.md
   2.4) *)
let bad_end = dprim option_RECURSION
  `(bad_end (a:int64) w NONE = a) /\
   (bad_end a w (SOME rg) = if w <= r_rem a rg then a
                            else word_add a (word (r_rem a rg)))`;;
let bad_at = ddef `bad_at s sp a w = bad_end a w (reg_for s sp a w)`;;

(* canload (4.3): kernel privilege, or a loadable object: VM objects (string
   table, scratch) and canload host regions, which need proc privilege
   (emulator-facts.md 3) *)
let cl_obj = ddef
  `cl_obj s rg <=> r_space rg = 0 /\ r_flag 2 rg /\ ~r_flag 8 rg /\
                   (r_flag 32 rg ==> ppriv s)`;;
let cl_fits = dprim option_RECURSION
  `(cl_fits (a:int64) w NONE <=> F) /\ (cl_fits a w (SOME rg) <=> w <= r_rem a rg)`;;
let canload = ddef
  `canload s (a:int64) w <=> kpriv s \/
     (if in_window a then cl_fits a w (find_reg (\rg. vm_obj rg /\ r_flag 2 rg) a (s_mem s))
      else cl_fits a w (find_reg (cl_obj s) a (s_mem s)))`;;
(* canstore (2.5): inside scratch (statics and dynamic data not modelled) *)
let canstore = ddef
  `canstore s (a:int64) w <=>
     val (word_sub a (word dif_va_scratch)) < s_ssize s /\
     w <= s_ssize s - val (word_sub a (word dif_va_scratch))`;;

(* bytes *)
let ov_byte = drec
  `(ov_byte k (bs:byte list) [] = nth_or (word 0) k bs) /\
   (ov_byte k bs (CONS (WrBytes q l) t) =
      if q <= k /\ k < q + llen l then nth_or (word 0) (k - q) l
      else ov_byte k bs t) /\
   (ov_byte k bs (CONS (WrZero q n) t) =
      if q <= k /\ k < q + n then word 0 else ov_byte k bs t)`;;
let r_byte = dprim dif_region_RECURSION
  `r_byte (a:int64) (DifRegion b n p r l ov) = ov_byte (val (word_sub a b)) l ov`;;
let r_num = drec
  `r_num rg (a:int64) w =
     if w = 0 then 0
     else val (r_byte a rg) + 256 * r_num rg (word_add a (word 1)) (w - 1)`;;
let opt_num = dprim option_RECURSION
  `(opt_num (a:int64) w NONE = 0) /\ (opt_num a w (SOME rg) = r_num rg a w)`;;
let mem_num = ddef `mem_num s sp a w = opt_num a w (reg_for s sp a w)`;;
let mem_byte = ddef `mem_byte s sp a = (word (mem_num s sp a 1):byte)`;;
(* sign or zero extension of a w-byte little-endian value *)
let ext = ddef
  `ext sg w n = if sg /\ w < 8 /\ 2 EXP (8 * w - 1) <= n
                then (word (n + 2 EXP 64 - 2 EXP (8 * w)):int64) else word n`;;
let le_bytes = drec
  `le_bytes n w =
     if w = 0 then [] else CONS (word (n MOD 256):byte) (le_bytes (n DIV 256) (w - 1))`;;

(* writes go to the VM object holding the address (scratch) *)
let wr_reg = dprim dif_region_RECURSION
  `wr_reg (a:int64) x (DifRegion b n p r l ov) =
     DifRegion b n p r l (CONS x ov)`;;
let mem_put = dprim list_RECURSION
  `(mem_put (a:int64) (f:num->dif_wr) [] = []) /\
   (mem_put a f (CONS rg t) =
      if vm_obj rg /\ r_flag 4 rg /\ r_has a rg
      then CONS (wr_reg a (f (r_off a rg)) rg) t
      else CONS rg (mem_put a f t))`;;
let mem_write = ddef
  `mem_write a l s = s_set_mem (mem_put a (\q. WrBytes q l) (s_mem s)) s`;;
let mem_zero = ddef
  `mem_zero a n s = s_set_mem (mem_put a (\q. WrZero q n) (s_mem s)) s`;;

(* bounded string scan with safe byte loads: (T, length) or (F, bad byte) *)
let sscan = define
  `sscan s (a:int64) n k =
     if k = 0 then (T, n) else
     if ~readable s 0 a 1 then (F, val a) else
     if mem_num s 0 a 1 = 0 then (T, n)
     else sscan s (word_add a (word 1)) (n + 1) (k - 1)`;;
incr dif_ndefs;;
let str_bytes = define
  `str_bytes s (a:int64) k =
     if k = 0 then [] else
     if ~readable s 0 a 1 then [] else
     if mem_num s 0 a 1 = 0 then []
     else CONS (mem_byte s 0 a) (str_bytes s (word_add a (word 1)) (k - 1))`;;
incr dif_ndefs;;

(* ------------------------------------------------------------------------- *)
(* The outcome's string digest (docs/corpus.md, `digest`): FNV-1a 64 over,  *)
(* for each observed register in ascending order, 1 when it holds 0, else 2 *)
(* then the bytes of its string as a program reads them (at most strsize,   *)
(* safe byte loads), then 0 (stopped at the NUL), 3 (an unreadable byte) or *)
(* 4 (strsize reached). %r0 reads as 0.                                      *)
(* ------------------------------------------------------------------------- *)

let dg_str = define
  `dg_str s (a:int64) k =
     if k = 0 then [4] else
     if ~readable s 0 a 1 then [3] else
     let c = mem_num s 0 a 1 in
     if c = 0 then [0] else CONS c (dg_str s (word_add a (word 1)) (k - 1))`;;
incr dif_ndefs;;
let dg_reg = ddef
  `dg_reg s r = if reg r s = word 0 then [1] else CONS 2 (dg_str s (reg r s) (s_strsize s))`;;
(* registers r, r + 1, .. (k of them) whose bit is set in the mask m *)
let dg_from = define
  `dg_from s m r k =
     if k = 0 then [] else
     APPEND (if bitset m (2 EXP r) then dg_reg s r else []) (dg_from s m (r + 1) (k - 1))`;;
incr dif_ndefs;;
let fnv = dprim list_RECURSION
  `(fnv (h:int64) [] = h) /\
   (fnv h (CONS b t) = fnv (word_mul (word_xor h (word b)) (word 1099511628211)) t)`;;
let dif_digest = ddef
  `dif_digest s m = fnv (word 14695981039346656037) (dg_from s m 0 8)`;;
let dif_digest_defs = [dg_str; dg_reg; dg_from; fnv; dif_digest];;
