#!/bin/sh
# Builds a seed corpus for cfg_fuzz in OUT from the test listings: a
# configuration byte (2: FreeBSD, 8 registers, with the def-use graph),
# then the instruction words of the first program of each listing in
# little-endian order (the harness copies them as host words; x86 and
# arm64 hosts are little-endian).
#   fuzz/cfg_seeds.sh BUILD_DIR OUT_DIR
set -eu
build=$1
out=$2
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
n=0
for f in "$src"/tests/dis/data/*.lst "$src"/tests/asm/data/friendly/*.s \
         "$src"/tests/link/data/*.s "$src"/tests/cfg/data/*.s; do
	[ -f "$f" ] || continue
	words=$("$build/tools/difdis" "$f" 2>/dev/null | awk '
		function h(s,  k, v) {
			v = 0
			for (k = 1; k <= length(s); k++)
				v = v * 16 + index("0123456789abcdef", substr(s, k, 1)) - 1
			return v
		}
		/^DIFO / { p++ }
		p <= 1 && $1 ~ /^[0-9a-f]+:$/ && length($2) == 8 && n < 4096 {
			n++
			for (k = 7; k >= 1; k -= 2)
				printf "\\0%o", h(substr($2, k, 2))
		}') || continue
	[ -n "$words" ] || continue
	n=$((n + 1))
	printf "\002$words" >"$out/$(basename "$f").cfg"
done
echo "cfg_seeds: $n seeds in $out"
