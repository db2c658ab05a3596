#!/bin/sh
# Builds a seed corpus for dof_fuzz in OUT from the tests: every test
# listing written as DOF by difasm --dof, and the real DOF fixtures from
# ../shared/fixtures/dof when the checkout sits beside them (they are
# read from there, never copied into the repository).
#   fuzz/dof_seeds.sh BUILD_DIR OUT_DIR
set -eu
build=$1
out=$2
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
n=0
for f in "$src"/tests/dis/data/*.lst "$src"/tests/asm/data/friendly/*.s \
         "$src"/tests/link/data/*.s; do
	[ -f "$f" ] || continue
	if "$build"/tools/difasm --dof -o "$out/$(basename "$f").dof" "$f" 2>/dev/null; then
		n=$((n + 1))
	fi
done
if [ -d "$src/../shared/fixtures/dof" ]; then
	for f in "$src"/../shared/fixtures/dof/*.dof; do
		cp "$f" "$out/" && n=$((n + 1))
	done
else
	echo "dof_seeds: ../shared/fixtures/dof not found; fixtures not added" >&2
fi
echo "dof_seeds: $n seeds in $out"
