# Sourced by the conformance scripts: adds the counts of a replay log's
# closing "N passed, M failed" line to $passed and $failed (a log without
# one counts as MISSING failures: 0 for the run, 1 for the regression).
tally() { # log [missing]
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-${2:-0}}))
}
