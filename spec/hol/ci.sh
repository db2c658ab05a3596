#!/bin/sh
# The HOL part of ./dev test: check the theory (./dev hol) and derive tests
# from it, replay the HOL-derived corpus on difvm and on the C model, and
# replay a fresh-seed random corpus of the covered instructions on the HOL
# runtime (spec/hol/runtime). The replay runs beside the theory check (one
# core each: both are single HOL Light processes).
# Usage: spec/hol/ci.sh BUILDDIR [COUNT]
set -eu
build=$1
count=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DIFVM_BUILD=$(cd "$build" && pwd)
export DIFVM_BUILD
rc=0
seed=${DIF_HOL_SEED:-$(date +%s)}
echo "hol: random corpus of the covered instructions, seed $seed (DIF_HOL_SEED=$seed replays it)"
"$DIFVM_BUILD/spec/hol/hol-corpus" random --seed "$seed" --count "$count" \
	--out "$DIFVM_BUILD/hol-random.db" || rc=1
replay_log=$DIFVM_BUILD/hol-replay.log
start=$(date +%s)
"$DIFVM_BUILD/tools/difgen" replay "$DIFVM_BUILD/hol-random.db" -q --max-shrink 0 \
	--runtime "$root/spec/hol/runtime" >"$replay_log" 2>&1 &
replay=$!
DIF_HOL_DERIVE=$DIFVM_BUILD/hol-derived.txt sh "$here/check.sh" || rc=1
if [ -s "$DIFVM_BUILD/hol-derived.txt" ]; then
	echo "hol: per-case derivation report: $DIFVM_BUILD/hol-derived.txt.report"
	"$DIFVM_BUILD/spec/hol/hol-corpus" derive "$DIFVM_BUILD/hol-derived.txt" \
		"$DIFVM_BUILD/hol.db" || rc=1
	echo "hol: HOL-derived corpus on difvm"
	"$DIFVM_BUILD/tools/difgen" replay "$DIFVM_BUILD/hol.db" -q || rc=1
	echo "hol: HOL-derived corpus on the C model"
	"$DIFVM_BUILD/spec/hol/hol-corpus" check-model "$DIFVM_BUILD/hol.db" || rc=1
else
	echo "hol: no tests were derived"
	rc=1
fi
echo "hol: random corpus (seed $seed) on the HOL runtime"
wait $replay || rc=1
cat "$replay_log"
echo "hol: HOL runtime replay took $(($(date +%s) - start)) s (start-up included)"
exit $rc
