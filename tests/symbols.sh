#!/bin/sh
# The shared libraries export exactly the functions the public headers
# declare with DIF_API, and nothing else.
set -eu
src=$1
build=$2
declared=$(grep -hv "^#define" "$src"/include/difvm/*.h | tr '\n' ' ' |
	grep -oE 'DIF_API [^;(]*\(' | grep -oE '[a-z_0-9]+\($' | tr -d '(' | sort -u)
exported=$( (nm -D --defined-only "$build"/difvm/libdifvm.so
	nm -D --defined-only "$build"/linker/libdifobj.so) |
	awk '$2 == "T" { print $3 }' | sort -u)
status=0
for s in $exported; do
	echo "$declared" | grep -qx "$s" || { echo "exported but not declared: $s"; status=1; }
done
for s in $declared; do
	echo "$exported" | grep -qx "$s" || { echo "declared but not exported: $s"; status=1; }
done
n=$(echo "$exported" | wc -l)
[ $status -eq 0 ] && echo "1 passed, 0 failed ($n exported symbols match the headers)"
exit $status
