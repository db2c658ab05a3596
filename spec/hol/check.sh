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
root=$(cd "$here/../.." && pwd)
build=${DIFVM_BUILD:-$root/build}
log=${DIF_HOL_LOG:-$(mktemp)}
tmp=$(mktemp -d)
start=$(date +%s)
printf 'let dif_dir = "%s";;\n#use "%s/check.ml";;\n' "$here" "$here" |
	DIF_HOL_CASES=$tmp/cases DIF_HOL_COVERAGE=$tmp/coverage \
	"$hd/ocaml" -init "$hd/hol.ml" >"$log" 2>&1
rc=$?
# the theory's case names mirror the C model's (spec/cases.c) exactly
if [ -x "$build/spec/hol/hol-corpus" ] && [ -f "$tmp/cases" ]; then
	"$build/spec/hol/hol-corpus" cases | sort >"$tmp/model"
	sort "$tmp/cases" >"$tmp/hol"
	if ! cmp -s "$tmp/model" "$tmp/hol"; then
		echo "hol: case names differ from spec/cases.c (< model, > HOL):"
		diff "$tmp/model" "$tmp/hol" | grep '^[<>]'
		rc=1
	else
		echo "hol: $(wc -l <"$tmp/hol") cases, named as in spec/cases.c"
	fi
else
	echo "hol: (no build: case names not compared with spec/cases.c)"
fi
# docs/spec-hol.md carries the coverage table the theory generates
doc=$root/docs/spec-hol.md
if [ -f "$tmp/coverage" ]; then
	sed -n '/^<!-- coverage:begin -->$/,/^<!-- coverage:end -->$/p' "$doc" |
		sed '1d;$d' >"$tmp/doccov"
	if ! cmp -s "$tmp/coverage" "$tmp/doccov"; then
		if [ "${DIF_HOL_UPDATE_DOC:-}" = 1 ]; then
			{ sed '/^<!-- coverage:begin -->$/q' "$doc"; cat "$tmp/coverage"
			  sed -n '/^<!-- coverage:end -->$/,$p' "$doc"; } >"$tmp/newdoc"
			cp "$tmp/newdoc" "$doc"
			echo "hol: docs/spec-hol.md coverage table updated"
		else
			echo "hol: docs/spec-hol.md coverage table is stale" \
				"(DIF_HOL_UPDATE_DOC=1 ./dev hol rewrites it)"
			rc=1
		fi
	fi
fi
rm -rf "$tmp"
grep -E '^(hol: |FAILED )' "$log" | grep -v '^hol: theorem '
grep -E 'Error|Exception' "$log" | head -5
if [ $rc -ne 0 ] ||
	! grep -q '^hol: [0-9]* definitions, [0-9]* theorems, 0 failed$' "$log"; then
	echo "hol: check failed (full log: $log)"
	exit 1
fi
[ -n "${DIF_HOL_LOG:-}" ] || rm -f "$log"
echo "hol: checked in $(($(date +%s) - start)) s"
exit $rc
