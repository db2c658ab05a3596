#!/bin/sh
# Builds difbench twice, with computed-goto and with switch dispatch, and
# runs both with the same arguments, so the two tables can be compared.
#   sh bench/dispatch.sh [DIFBENCH ARGS...]     (from anywhere)
# Build directories: build-dispatch-goto and build-dispatch-switch.
set -eu
cd "$(dirname "$0")/.."
for mode in goto switch; do
	dir=build-dispatch-$mode
	opt=true
	[ "$mode" = switch ] && opt=false
	if [ ! -d "$dir" ]; then
		meson setup "$dir" -Dbuildtype=debugoptimized -Dtests=disabled \
			-Dcomputed_goto=$opt >/dev/null
	fi
	ninja -C "$dir" bench/difbench >/dev/null
done
for mode in goto switch; do
	echo "== $mode"
	"build-dispatch-$mode/bench/difbench" "$@"
	echo
done
