#!/usr/bin/env bash
# Run cmocka test programs, show their output, and finish with one summary
# line "N passed, N failed, N skipped" over all of them. Exit 1 if any failed.
# Usage: tests/run-tests.sh LABEL TEST_PROGRAM...
set -u
label=$1
shift
passed=0 failed=0 skipped=0 broken=()
for t in "$@"; do
	echo "=== ${t##*/} ($label)"
	out=$(mktemp)
	"$t" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..." per group.
	p=$(awk '/^\[  PASSED  \]/ {s += $4} END {print s + 0}' "$out")
	f=$(awk '/^\[  FAILED  \] [0-9]+ test/ {s += $4} END {print s + 0}' "$out")
	s=$(awk '/^\[  SKIPPED \] [0-9]+ test/ {s += $4} END {print s + 0}' "$out")
	# Name the failed tests again at the end, where a long log's reader looks.
	while read -r name; do
		broken+=("${t##*/}: $name failed")
	done < <(awk '/^\[  (FAILED  |ERROR   )\] [a-z_]/ {print $4}' "$out" | sort -u)
	rm -f "$out"
	if [[ $status -ne 0 && $f -eq 0 ]]; then
		f=1 # crashed, or a sanitizer stopped it
		broken+=("${t##*/} exited with status $status")
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
for b in "${broken[@]+"${broken[@]}"}"; do
	echo "run-tests: $b"
done
echo "$label: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
