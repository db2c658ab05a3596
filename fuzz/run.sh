#!/bin/sh
# Runs every fuzz harness of a clang build for SECONDS each:
#   fuzz/run.sh BUILDDIR SECONDS
# The harnesses are those listed in BUILDDIR/fuzz/harnesses.txt (written
# from fuzz/meson.build). Seeds come from fuzz/seeds.sh; new inputs the
# fuzzer finds are kept in BUILDDIR/fuzz/corpus/NAME between runs.
# Exit status 1 when a harness finds a crash (its reproducer is left in
# BUILDDIR/fuzz/).
set -eu
b=$(cd "$1" && pwd)
secs=${2:-5}
src=$(cd "$(dirname "$0")/.." && pwd)
list="$b/fuzz/harnesses.txt"
if ! grep -q . "$list" 2>/dev/null; then
	echo "fuzz: no harnesses in $list (configure with CC=clang)" >&2
	exit 2
fi
seeds="$b/fuzz/seeds"
[ -d "$seeds" ] || sh "$src/fuzz/seeds.sh" "$b" "$seeds"
status=0
while read -r name kind; do
	[ -n "$name" ] || continue
	mkdir -p "$b/fuzz/corpus/$name"
	echo "fuzz: $name for ${secs}s (seeds: $kind)"
	if ! (cd "$b/fuzz" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"./$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=0 \
		"corpus/$name" "$seeds/$kind" >"$name.log" 2>&1); then
		echo "fuzz: $name FAILED; see $b/fuzz/$name.log" >&2
		tail -40 "$b/fuzz/$name.log" >&2
		status=1
	else
		grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' "$b/fuzz/$name.log" | tail -1 || true
	fi
done <"$list"
exit $status
