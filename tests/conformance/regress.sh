#!/bin/sh
# Regression corpus (docs/corpus.md, "Regression cases"): imports the
# reviewed case files (each checked on the model against the outcome it
# states), then replays them on difvm in-process and, when given, through
# `difrun --conformance`.
#   sh regress.sh DIFGEN DIFRUN|- OUTDIR CASEFILE...
set -u
DIFGEN=${1:?usage: regress.sh DIFGEN DIFRUN OUTDIR CASEFILE...}
DIFRUN=${2:?}
OUT=${3:?}
shift 3
mkdir -p "$OUT"
DB=$OUT/regression.db
failed=0
passed=0

"$DIFGEN" import "$DB" "$@" > "$OUT/import.log" 2>&1
st=$?
cat "$OUT/import.log"
[ $st -eq 2 ] && { echo "regression: import failed"; echo "0 passed, 1 failed"; exit 1; }
rej=$(sed -n 's/^imported [0-9]* cases, \([0-9]*\) rejected.*/\1/p' "$OUT/import.log")
failed=$((failed + ${rej:-1}))

tally() {
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
}

"$DIFGEN" replay -q "$DB" > "$OUT/replay.log" 2>&1
cat "$OUT/replay.log"
tally "$OUT/replay.log"
if [ "$DIFRUN" != - ]; then
	"$DIFGEN" replay -q "$DB" --runtime "$DIFRUN --conformance" \
		> "$OUT/replay-difrun.log" 2>&1
	cat "$OUT/replay-difrun.log"
	tally "$OUT/replay-difrun.log"
fi
echo "regression: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
