#!/bin/sh
# Runs every fuzz harness of a clang build for SECONDS each:
#   fuzz/run.sh BUILDDIR SECONDS
# The harnesses are every executable('NAME', ...) of fuzz/meson.build that
# the build produced, so a new harness joins by being declared there.
# Seeds: the kind BUILDDIR/fuzz/harnesses.txt gives (corpora built by
# fuzz/seeds.sh from the tests), else what fuzz/KIND_seeds.sh BUILD OUT
# writes for NAME = KIND_fuzz, else none. New inputs the fuzzer finds are
# kept in BUILDDIR/fuzz/corpus/NAME between runs. Exit status 1 when a
# harness finds a crash (the log and reproducer are left in BUILDDIR/fuzz/).
set -eu
b=$(cd "$1" && pwd)
secs=${2:-5}
src=$(cd "$(dirname "$0")/.." && pwd)
names=$(grep -o "executable('[A-Za-z0-9_]*'" "$src/fuzz/meson.build" |
	sed "s/executable('//; s/'//" | sort -u)
seeds="$b/fuzz/seeds"
[ -d "$seeds" ] || sh "$src/fuzz/seeds.sh" "$b" "$seeds"
status=0
ran=0
for name in $names; do
	[ -x "$b/fuzz/$name" ] || continue
	kind=$(awk -v n="$name" '$1 == n { print $2 }' "$b/fuzz/harnesses.txt" \
		2>/dev/null || true)
	if [ -z "$kind" ]; then
		kind=$name
		script="$src/fuzz/${name%_fuzz}_seeds.sh"
		mkdir -p "$seeds/$kind"
		if [ -f "$script" ] && [ -z "$(ls -A "$seeds/$kind")" ]; then
			sh "$script" "$b" "$seeds/$kind" >/dev/null 2>&1 || true
		fi
	fi
	mkdir -p "$b/fuzz/corpus/$name"
	echo "fuzz: $name for ${secs}s (seeds: $kind)"
	ran=$((ran + 1))
	if ! (cd "$b/fuzz" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"./$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=0 \
		"corpus/$name" "$seeds/$kind" >"$name.log" 2>&1); then
		echo "fuzz: $name FAILED; see $b/fuzz/$name.log" >&2
		tail -40 "$b/fuzz/$name.log" >&2
		status=1
	else
		grep -E 'Done [0-9]+ runs' "$b/fuzz/$name.log" | tail -1 || true
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "fuzz: no harness built in $b/fuzz (configure with CC=clang)" >&2
	exit 2
fi
exit $status
