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

. "$(dirname "$0")/../../testgen/tally.sh"

"$DIFGEN" replay -q "$DB" > "$OUT/replay.log" 2>&1
cat "$OUT/replay.log"
tally "$OUT/replay.log" 1
if [ "$DIFRUN" != - ]; then
	"$DIFGEN" replay -q "$DB" --runtime "$DIFRUN --conformance" \
		> "$OUT/replay-difrun.log" 2>&1
	cat "$OUT/replay-difrun.log"
	tally "$OUT/replay-difrun.log" 1
fi
echo "regression: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
