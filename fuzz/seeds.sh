#!/bin/sh
# Builds the seed corpora of the fuzz harnesses from the test inputs:
#   fuzz/seeds.sh BUILDDIR OUTDIR
# OUTDIR/asm: listings and hand-written programs of tests/ and examples/;
# OUTDIR/obj: those assembled into objects; OUTDIR/cbor: cases and
# outcomes of a small generated corpus; OUTDIR/db: small corpus files;
# OUTDIR/exec: program words taken from the objects; OUTDIR/cfg: the same
# words as cfg_fuzz reads them. Needs the tools of BUILDDIR.
set -eu
b=$1
out=$2
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/asm" "$out/obj" "$out/cbor" "$out/db" "$out/exec" "$out/cfg" \
	"$out/none"
# words FILE ORDER MAX: up to MAX instruction words of the first program of
# FILE as printf escapes, bytes big-endian (ORDER be) or little-endian (le)
words() {
	"$b/tools/difdis" "$1" 2>/dev/null | awk -v le="$2" -v max="$3" '
		function h(s,  k, v) {
			v = 0
			for (k = 1; k <= length(s); k++)
				v = v * 16 + index("0123456789abcdef", substr(s, k, 1)) - 1
			return v
		}
		/^DIFO / { p++ }
		p <= 1 && $1 ~ /^[0-9a-f]+:$/ && length($2) == 8 && n < max {
			n++
			for (k = 0; k < 4; k++)
				printf "\\0%o", h(substr($2, le == "le" ? 7 - 2 * k : 1 + 2 * k, 2))
		}'
}
i=0
find "$src/tests" "$src/examples" -type f \( -name '*.s' -o -name '*.lst' \) |
	sort | while read -r f; do
	i=$((i + 1))
	cp "$f" "$out/asm/$i"
	if "$b/tools/difasm" -o "$out/obj/$i.o" "$f" >/dev/null 2>&1; then
		# exec seeds: a header (profile, 32 words, no tables), then the
		# words of the first program, big-endian as the harness reads
		w=$(words "$f" be 32)
		[ -z "$w" ] || printf "\000\037\000\000$w" >"$out/exec/$i"
		# cfg seeds: a configuration byte (2: FreeBSD, 8 registers,
		# def-use graph), then host (little-endian) words
		w=$(words "$f" le 4096)
		[ -z "$w" ] || printf "\002$w" >"$out/cfg/$i"
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
