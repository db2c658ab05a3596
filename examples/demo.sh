#!/bin/sh
# Runs the bundled example: the tracer over the recorded events, then the
# command-line tools on the example programs (tools not built are skipped).
#   sh examples/demo.sh BUILD_DIR
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}

if [ ! -x "$B/examples/tracer" ]; then
	echo "demo: $B/examples/tracer is not built (run: ninja -C $B)" >&2
	exit 1
fi

echo "== tracer: read(2) latency per process (examples/tracer.s over examples/events.txt)"
"$B/examples/tracer" examples/tracer.s examples/events.txt

tool() {
	[ -x "$B/tools/$1" ]
}

if tool difasm; then
	echo
	echo "== difasm examples/tracer.s: the 'return' program as dtrace -S prints it"
	"$B/tools/difasm" -n examples/tracer.s |
		awk '/^\.difo /{p = ($2 == "return"); next} p'
fi

if tool difasm && tool difdis; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo
	echo "== difasm -o tracer.o, then difdis --difo pred tracer.o (ELF object round trip)"
	"$B/tools/difasm" -o "$tmp/tracer.o" examples/tracer.s
	"$B/tools/difdis" --difo pred "$tmp/tracer.o"
fi

if tool difcheck; then
	echo
	echo "== difcheck examples/tracer.s examples/who.S"
	"$B/tools/difcheck" examples/tracer.s examples/who.S
fi

if tool difrun; then
	echo
	echo "== difrun: the predicate for execname \"sshd\", then \"idle\""
	"$B/tools/difrun" --difo pred --var execname=sshd examples/tracer.s
	"$B/tools/difrun" --difo pred --var execname=idle examples/tracer.s
	echo
	echo "== difrun examples/who.S: thread 0x1000 -> proc 0x2000 -> uid 1000"
	# little-endian bytes: t_proc at 0x1008 = 0x2000, p_uid at 0x2010 = 1000
	"$B/tools/difrun" --var curthread=0x1000 \
		--mem 0x1008=0020000000000000 --mem 0x2010=e8030000 examples/who.S
	echo
	echo "== difrun examples/who.S with no memory behind curthread: a fault"
	"$B/tools/difrun" --var curthread=0x1000 examples/who.S || true
fi

if [ -x "$B/examples/statsize" ] && [ -f "$B/examples/statsize-types-ctf.o" ]; then
	echo
	echo "== statsize: examples/statsize.s linked at start-up against gcc -gctf types,"
	echo "   then run on the struct stat of real files (docs/linking.md section 6)"
	"$B/examples/statsize" --ctf "$B/examples/statsize-types-ctf.o" \
		examples/statsize.s README.md examples
fi
