#!/bin/sh
# Conformance run (CI): for the fixed seed and for a fresh seed (printed
# first), generate a corpus from the model, replay it on difvm in-process,
# with difvm's layout moved, and through `difrun --conformance`, and check
# that every model case is observed by at least 4 tests.
#   sh testgen/conformance.sh BUILD_DIR
#   DIFGEN_SEED=S       the fixed seed (default 20261122)
#   DIFGEN_FRESH_SEED=S the fresh seed (default: random); "none" skips it
#   DIFGEN_COUNT=N      random programs per seed (default 20000)
#   DIFGEN_REUSE=1      replay the corpus an earlier run of this script
#                       generated for the seed (the corpus depends only on
#                       the seed and the model; ./dev mutate uses this)
set -u
B=${1:?usage: conformance.sh BUILD_DIR}
DIFGEN=$B/tools/difgen
DIFRUN=$B/tools/difrun
SEED=${DIFGEN_SEED:-20261122}
FRESH=${DIFGEN_FRESH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
COUNT=${DIFGEN_COUNT:-20000}
SHIFT=4104 # bytes the static and dynamic storage move in the layout replay
passed=0
failed=0

if [ "$FRESH" != none ]; then
	echo "conformance: fresh seed $FRESH (reproduce: DIFGEN_SEED=$FRESH sh testgen/conformance.sh $B)"
fi

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

run_seed() { # seed
	S=$1
	OUT=$B/conformance/$S
	mkdir -p "$OUT"
	echo "conformance: seed $S"
	if [ "${DIFGEN_REUSE:-0}" = 1 ] && [ -f "$OUT/corpus.db" ]; then
		echo "conformance: seed $S: reusing $OUT/corpus.db"
	else
	# two shards in parallel (one per core), then merged
	"$DIFGEN" generate -q --seed "$S" --count "$COUNT" --tries 6000 --shard 0/2 \
		--out "$OUT/s0.db" > "$OUT/gen0.log" 2>&1 &
	pid0=$!
	"$DIFGEN" generate -q --seed "$S" --count "$COUNT" --tries 6000 --shard 1/2 \
		--out "$OUT/s1.db" > "$OUT/gen1.log" 2>&1
	st1=$?
	wait $pid0
	st0=$?
	grep -v '^n/a:' "$OUT/gen0.log" "$OUT/gen1.log"
	step "seed $S: generate shard 0/2" $st0
	step "seed $S: generate shard 1/2" $st1
	"$DIFGEN" merge "$OUT/corpus.db" "$OUT/s0.db" "$OUT/s1.db"
	step "seed $S: merge" $?
	fi

	# in-process, and with the layout moved, one per core
	"$DIFGEN" replay -q "$OUT/corpus.db" > "$OUT/replay.log" 2>&1 &
	pid0=$!
	cp "$OUT/corpus.db" "$OUT/shifted.db"
	"$DIFGEN" replay -q --layout-shift $SHIFT "$OUT/shifted.db" \
		> "$OUT/replay-shifted.log" 2>&1
	st1=$?
	wait $pid0
	st=$?
	cat "$OUT/replay.log"
	tally "$OUT/replay.log"
	[ $st -eq 0 ] || step "seed $S: replay in-process" $st
	echo "(layout moved by $SHIFT bytes)"
	cat "$OUT/replay-shifted.log"
	tally "$OUT/replay-shifted.log"
	[ $st1 -eq 0 ] || step "seed $S: replay with the layout moved" $st1

	if [ -x "$DIFRUN" ]; then
		"$DIFGEN" replay -q "$OUT/corpus.db" --shard 0/10 \
			--runtime "$DIFRUN --conformance" > "$OUT/replay-difrun.log" 2>&1
		st=$?
		cat "$OUT/replay-difrun.log"
		tally "$OUT/replay-difrun.log"
		[ $st -eq 0 ] || step "seed $S: replay difrun --conformance" $st
	else
		echo "conformance: $DIFRUN missing"
		failed=$((failed + 1))
	fi

	# no allow list: every model case is observed by 4 tests or, when its
	# host mask excludes this machine (byte order), not applicable
	"$DIFGEN" coverage --min-tests 4 "$OUT/corpus.db" > "$OUT/coverage.log" 2>&1
	st=$?
	grep -E "^(uncovered|unreachable|coverage):" "$OUT/coverage.log"
	step "seed $S: coverage" $st
}

start=$(date +%s)
run_seed "$SEED"
[ "$FRESH" = none ] || [ "$FRESH" = "$SEED" ] || run_seed "$FRESH"

# the checked-in regression corpus
OUT=$B/conformance
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
echo "conformance: $(($(date +%s) - start)) s"
echo "conformance: $passed passed, $failed failed"
[ "$FRESH" = none ] || echo "conformance: fresh seed was $FRESH"
[ "$failed" -eq 0 ]
