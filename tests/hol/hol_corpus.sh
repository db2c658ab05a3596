#!/bin/sh
# hol-corpus: random corpora of the covered instructions agree between the
# C model and difvm (fixed and fresh seed), and the derived-test format
# (sample lines written by spec/hol/derive.ml) becomes a valid corpus whose
# HOL outcomes the model and difvm reproduce; a corrupted outcome is caught.
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hc=$build/spec/hol/hol-corpus
difgen=$build/tools/difgen
fresh=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
for seed in 1 "$fresh"; do
	echo "seed $seed"
	"$hc" random --seed "$seed" --count 200 --out "$tmp/r.db"
	"$hc" check-model "$tmp/r.db"
	"$difgen" replay "$tmp/r.db" -q
done
# the string subroutines (strs.ml) only with --strings: their cases are
# targeted then and not otherwise
strs="'strlen','strjoin','lltostr','strchr','strrchr','toupper','tolower'"
for flag in "" --strings; do
	"$hc" random $flag --seed "$fresh" --count 150 --out "$tmp/s.db"
	"$hc" check-model "$tmp/s.db"
	n=$(sqlite3 "$tmp/s.db" "select count(*) from cases c join partitions p on c.target = p.id where p.insn in ($strs)")
	echo "random $flag: $n cases of the string subroutines"
	if [ -z "$flag" ] && [ "$n" != 0 ]; then exit 1; fi
	if [ -n "$flag" ] && [ "$n" = 0 ]; then exit 1; fi
done
"$hc" derive "$src/derived-sample.txt" "$tmp/h.db"
"$hc" check-model "$tmp/h.db"
"$difgen" replay "$tmp/h.db" -q
# a wrong expected outcome must be reported
sed '1s/|R [0-9]*|/|R 12345|/' "$src/derived-sample.txt" >"$tmp/bad.txt"
"$hc" derive "$tmp/bad.txt" "$tmp/bad.db"
if "$hc" check-model "$tmp/bad.db" >/dev/null; then
	echo "check-model accepted a wrong outcome"
	exit 1
fi
echo ok
