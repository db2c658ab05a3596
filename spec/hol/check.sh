#!/bin/sh
# ./dev hol: checks the HOL Light theory of DIF. Every definition must load,
# every theorem must be proved by its tactic, the sample programs must
# evaluate as expected. Prints "hol: N definitions, M theorems, K failed"
# and exits non-zero on any failure, or if an axiom, an unchecked theorem
# constructor or a cheating tactic appears in the theory files.
set -u
here=$(cd "$(dirname "$0")" && pwd)
hd=${HOL_LIGHT_DIR:-/usr/share/hol-light}
bad=$(grep -nE 'new_axiom|mk_thm|CHEAT_TAC|cheat|new_type_definition|Sequent' \
	"$here"/*.ml)
if [ -n "$bad" ]; then
	echo "$bad"
	echo "hol: the theory uses an unproved assertion (see above); failed"
	exit 1
fi
log=${DIF_HOL_LOG:-$(mktemp)}
start=$(date +%s)
printf 'let dif_dir = "%s";;\n#use "%s/check.ml";;\n' "$here" "$here" |
	"$hd/ocaml" -init "$hd/hol.ml" >"$log" 2>&1
rc=$?
grep -E '^(hol: |FAILED )' "$log" | grep -v '^hol: theorem '
grep -E 'Error|Exception' "$log" | head -5
if ! grep -q '^hol: [0-9]* definitions, [0-9]* theorems, 0 failed$' "$log"; then
	echo "hol: check failed (full log: $log)"
	exit 1
fi
[ -n "${DIF_HOL_LOG:-}" ] || rm -f "$log"
echo "hol: checked in $(($(date +%s) - start)) s"
exit $rc
