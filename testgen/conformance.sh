#!/bin/sh
# Conformance run (CI): generate a corpus from the model with a fixed seed,
# replay it on difvm in-process and through `difrun --conformance`, and
# check that every model case is covered.
#   sh testgen/conformance.sh BUILD_DIR
set -u
B=${1:?usage: conformance.sh BUILD_DIR}
DIFGEN=$B/tools/difgen
DIFRUN=$B/tools/difrun
SEED=${DIFGEN_SEED:-20261122}
COUNT=${DIFGEN_COUNT:-20000}
OUT=$B/conformance
mkdir -p "$OUT"
passed=0
failed=0

step() { # name status
	if [ "$2" -eq 0 ]; then
		echo "conformance: $1: ok"
	else
		echo "conformance: $1: FAILED (exit $2)"
		failed=$((failed + 1))
	fi
}

# counts from a replay's closing "N passed, M failed" line
. "$(dirname "$0")/tally.sh"

start=$(date +%s)
# two shards in parallel (one per core), then merged
"$DIFGEN" generate -q --seed "$SEED" --count "$COUNT" --shard 0/2 \
	--out "$OUT/s0.db" > "$OUT/gen0.log" 2>&1 &
pid0=$!
"$DIFGEN" generate -q --seed "$SEED" --count "$COUNT" --shard 1/2 \
	--out "$OUT/s1.db" > "$OUT/gen1.log" 2>&1
st1=$?
wait $pid0
st0=$?
cat "$OUT/gen0.log" "$OUT/gen1.log"
step "generate shard 0/2" $st0
step "generate shard 1/2" $st1
"$DIFGEN" merge "$OUT/corpus.db" "$OUT/s0.db" "$OUT/s1.db"
step "merge" $?

"$DIFGEN" replay -q "$OUT/corpus.db" > "$OUT/replay.log" 2>&1
st=$?
cat "$OUT/replay.log"
tally "$OUT/replay.log"
[ $st -eq 0 ] || step "replay in-process" $st

if [ -x "$DIFRUN" ]; then
	"$DIFGEN" replay -q "$OUT/corpus.db" --shard 0/10 \
		--runtime "$DIFRUN --conformance" > "$OUT/replay-difrun.log" 2>&1
	st=$?
	cat "$OUT/replay-difrun.log"
	tally "$OUT/replay-difrun.log"
	[ $st -eq 0 ] || step "replay difrun --conformance" $st
else
	echo "conformance: $DIFRUN missing"
	failed=$((failed + 1))
fi

# the regression corpus: reviewed cases of every fixed mismatch class
CASES=$(ls "$(dirname "$0")"/../tests/conformance/*.case 2>/dev/null)
if [ -n "$CASES" ]; then
	# shellcheck disable=SC2086
	sh "$(dirname "$0")"/../tests/conformance/regress.sh "$DIFGEN" "$DIFRUN" \
		"$OUT/regression" $CASES > "$OUT/regression.log" 2>&1
	st=$?
	grep -E '^(regression|imported|MISMATCH|.*MODEL MISMATCH)' "$OUT/regression.log"
	[ $st -eq 0 ] || cat "$OUT/regression.log"
	step "regression corpus" $st
fi

# no allow list: every model case is covered or, when its host mask
# excludes this machine (byte order), reported as not applicable
"$DIFGEN" coverage "$OUT/corpus.db" > "$OUT/coverage.log" 2>&1
st=$?
grep -E "^(uncovered|unreachable|n/a|coverage):" "$OUT/coverage.log"
step "coverage" $st

echo "conformance: $(($(date +%s) - start)) s"
echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
