#!/bin/sh
# Builds the seed corpora of the fuzz harnesses from the test inputs:
#   fuzz/seeds.sh BUILDDIR OUTDIR
# OUTDIR/asm: listings and hand-written programs of tests/ and examples/;
# OUTDIR/obj: those assembled into objects; OUTDIR/cbor: cases and
# outcomes of a small generated corpus; OUTDIR/db: small corpus files;
# OUTDIR/exec: program words taken from the objects. Needs the tools of
# BUILDDIR.
set -eu
b=$1
out=$2
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/asm" "$out/obj" "$out/cbor" "$out/db" "$out/exec" "$out/none"
i=0
find "$src/tests" "$src/examples" -type f \( -name '*.s' -o -name '*.lst' \) |
	sort | while read -r f; do
	i=$((i + 1))
	cp "$f" "$out/asm/$i"
	if "$b/tools/difasm" -o "$out/obj/$i.o" "$f" >/dev/null 2>&1; then
		# exec seeds: a header (profile, 32 words, no tables), then the
		# words of the first program, big-endian as the harness reads
		words=$("$b/tools/difdis" "$f" 2>/dev/null | awk '
			function h(s,  k, v) {
				v = 0
				for (k = 1; k <= length(s); k++)
					v = v * 16 + index("0123456789abcdef", substr(s, k, 1)) - 1
				return v
			}
			$1 ~ /^[0-9a-f]+:$/ && length($2) == 8 && n < 32 {
				n++
				for (k = 1; k <= 7; k += 2)
					printf "\\0%o", h(substr($2, k, 2))
			}')
		[ -z "$words" ] || printf "\000\037\000\000$words" >"$out/exec/$i"
	else
		rm -f "$out/obj/$i.o"
	fi
done
if [ -x "$b/tools/difgen" ] && command -v sqlite3 >/dev/null; then
	db="$out/db/small.db"
	"$b/tools/difgen" generate -q --seed 3 --count 20 --variants 1 --tries 20 \
		--out "$db" >/dev/null
	sqlite3 "$db" "SELECT writefile('$out/cbor/' || name || '.case', program),
	               writefile('$out/cbor/' || name || '.out', expected)
	               FROM cases WHERE rowid % 7 = 0" >/dev/null
	# a tiny corpus keeps each fuzz iteration fast
	sqlite3 "$db" "DELETE FROM cases WHERE rowid % 50 != 0;
	               DELETE FROM case_partitions; DELETE FROM results;
	               DELETE FROM partitions WHERE id > 3;
	               PRAGMA page_size=512; VACUUM;"
fi
