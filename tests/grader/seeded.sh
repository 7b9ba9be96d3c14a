#!/usr/bin/env bash
# The grader's own proof (issue 8, item 5): every seeded bug loses points,
# and the kit itself scores full marks.
#
# Usage: tests/grader/seeded.sh [NAME...]     (make check-grader runs it)
#
# Each tests/grader/seeded/NAME.patch is a small unified diff that plants one
# realistic bug in the kit, or a change a correct solution may make. Its
# header names the rubric checks that must catch it, on one line:
#
#   # Must lose points in: lab-b.print lab-b.lengths
#   # Must lose points in: nothing
#
# and those, exactly, must FAIL: a bug loses points in the checks of what it
# broke and nowhere else; a harmless change (more guest output, other exit
# totals) loses nothing.
#
# The script makes ONE clean copy of the kit's working tree (what git would
# commit, uncommitted edits included: `git ls-files -co --exclude-standard`;
# without git, everything but build/ and build-san/), then one copy per patch
# with the patch applied (exact context, no fuzz: a patch that no longer
# applies is a failure, never a silent pass). The unpatched copy and the
# patched ones are graded together by `grader/grade --batch --jobs 2`, each
# built from scratch with `make -B all`, and then:
#   - the unpatched kit must score full marks (no check FAILs);
#   - every seeded copy must build and FAIL exactly the named checks.
# The parts graded are every part of the rubric but lab-d, whose lab-d.vm
# boots QEMU for minutes (SEEDED_ONLY=PATTERNS overrides, as for --only).
# With jq installed, each results.json is also checked against the report.
#
# Environment: GRADE (the grader; default grader/grade of this kit),
# SEEDED_JOBS (submissions graded at once; default 2), SEEDED_ONLY,
# SEEDED_KEEP=1 (keep the scratch folder and say where), TMPDIR.
#
# Output: one line per variant, then "N passed, N failed".
# Exit status: 0 all passed, 1 a variant failed, 2 the run itself went wrong
# (no grader, no patches, an unknown NAME, the grader failing as a whole).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kit=$(cd "$here/../.." && pwd)
seeded_dir=$here/seeded
grade=${GRADE:-$kit/grader/grade}
jobs=${SEEDED_JOBS:-2}
# The kit's programs must not see an outer make's job server or variables.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

die() {
	echo "seeded: $*" >&2
	exit 2
}

[[ -x "$grade" ]] || die "no grader at $grade: build it first (make grader/grade)"
command -v patch >/dev/null || die "patch(1) is needed: apt-get install patch"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "SEEDED_JOBS='$jobs': expected a whole number >= 1"

# The variants: every patch, or the ones named on the command line.
shopt -s nullglob
if [[ $# -gt 0 ]]; then
	patches=()
	for name in "$@"; do
		[[ -f "$seeded_dir/$name.patch" ]] || die "no seeded bug '$name' ($seeded_dir/$name.patch)"
		patches+=("$seeded_dir/$name.patch")
	done
else
	patches=("$seeded_dir"/*.patch)
fi
[[ ${#patches[@]} -gt 0 ]] || die "no patches in $seeded_dir"

# The parts: every part of the rubric but lab-d (lab-d.vm runs QEMU).
if [[ -n "${SEEDED_ONLY:-}" ]]; then
	only=$SEEDED_ONLY
else
	only=$("$grade" --list | awk 'NR > 1 && NF >= 5 && $3 ~ /^[0-9]+$/ && $2 != "lab-d" && !seen[$2]++ { printf "%s%s", sep, $2; sep = "," }')
	[[ -n "$only" ]] || die "$grade --list named no parts"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/seeded.XXXXXX")
cleanup() {
	if [[ "${SEEDED_KEEP:-}" == 1 ]]; then
		echo "seeded: kept $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
# Interrupted: stop the grader (it removes its own scratch copies), then ours.
grader_pid=
on_signal() {
	if [[ -n "$grader_pid" ]]; then
		kill -TERM "$grader_pid" 2>/dev/null || true
		wait "$grader_pid" 2>/dev/null || true
	fi
	exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# --- the copies --------------------------------------------------------------

batch=$scratch/batch
pristine=$batch/kit
mkdir -p "$pristine"

# What git would commit from the working tree (tracked files still present,
# and untracked ones not ignored); without git, all but the build folders.
if git -C "$kit" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$kit" ls-files -z -co --exclude-standard |
		(cd "$kit" && while IFS= read -r -d '' f; do
			if [[ -e "$f" || -L "$f" ]]; then printf '%s\0' "$f"; fi
		done) |
		tar -C "$kit" --null --no-recursion -T - -cf - | tar -C "$pristine" -xf -
else
	tar -C "$kit" --exclude=./build --exclude=./build-san -cf - . | tar -C "$pristine" -xf -
fi

passed=0
failed=0
names=()
declare -A must_fail=()

fail_variant() { # NAME WHY [DETAILS-FILE]
	echo "seeded $1: $2: FAILED"
	if [[ -n "${3:-}" && -f "$3" ]]; then
		sed 's/^/    /' "$3"
	fi
	failed=$((failed + 1))
}

for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	[[ "$name" != kit ]] || die "$p: a seeded bug cannot be called 'kit' (the unpatched copy)"
	checks=$(sed -n 's/^# Must lose points in:[[:space:]]*//p' "$p" | head -n 1)
	if [[ -z "$checks" ]]; then
		echo "seeded $name: the header has no line '# Must lose points in: CHECK...': FAILED"
		failed=$((failed + 1))
		continue
	fi
	cp -a "$pristine" "$batch/$name"
	if ! patch -d "$batch/$name" -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch \
		<"$p" >"$scratch/$name.patch.log" 2>&1; then
		fail_variant "$name" "the patch no longer applies to the kit" "$scratch/$name.patch.log"
		rm -rf "${batch:?}/$name"
		continue
	fi
	names+=("$name")
	must_fail[$name]=$checks
done

# --- grading -----------------------------------------------------------------

echo "seeded: grading the kit and ${#names[@]} seeded copies of it (parts $only), $jobs at a time"
started=$SECONDS
status=0
"$grade" --batch "$batch" --jobs "$jobs" --only "$only" --csv "$scratch/grades.csv" \
	--out "$scratch/reports" >"$scratch/batch.log" 2>&1 &
grader_pid=$!
wait "$grader_pid" || status=$?
grader_pid=
if [[ $status -gt 1 || ! -f "$scratch/grades.csv" ]]; then
	sed 's/^/    /' "$scratch/batch.log" >&2
	die "the grader failed as a whole (exit status $status)"
fi
echo "seeded: graded in $((SECONDS - started)) s"

# total and max of one submission, from the CSV's columns of those names
# ("submission,PART...,total,max,seconds").
score_of() {
	awk -F, -v name="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == name { print $col["total"], $col["max"]; found = 1 }
		END { exit !found }' "$scratch/grades.csv"
}

# The check IDs the report gives VERDICT (OK, FAIL or SKIP), one a line.
verdicts() { # REPORT VERDICT
	sed -n "s/^\([A-Za-z0-9._-]*\): .* $2 ([0-9.]*s)\$/\1/p" "$1"
}

# With jq: the JSON's score and failed tests agree with the CSV and the report.
json_agrees() { # NAME TOTAL
	local json=$scratch/reports/$1.json report=$scratch/reports/$1.txt
	command -v jq >/dev/null || return 0
	[[ "$(jq -r '.score' "$json")" == "$2" ]] || return 1
	diff <(jq -r '.tests[] | select(.status == "failed") | .name | split(": ")[0]' "$json" | sort) \
		<(verdicts "$report" FAIL | sort) >/dev/null
}

check_submission() { # NAME -> sets total, max, report; 1 when it cannot be judged
	report=$scratch/reports/$1.txt
	local score
	if ! score=$(score_of "$1") || [[ ! -f "$report" ]]; then
		fail_variant "$1" "no score or report from the grader" "$scratch/batch.log"
		return 1
	fi
	read -r total max <<<"$score"
	if [[ -z "$total" ]] || ! grep -q '^Build: .* OK (' "$report"; then
		fail_variant "$1" "the copy did not build" "$report"
		return 1
	fi
	if ! json_agrees "$1" "$total"; then
		fail_variant "$1" "its results.json disagrees with its report" "$report"
		return 1
	fi
}

# The unpatched kit: full marks.
if check_submission kit; then
	skipped=$(verdicts "$report" SKIP | wc -l)
	note=""
	[[ $skipped -eq 0 ]] || note=" ($skipped checks skipped: this machine cannot run them)"
	if [[ "$total" == "$max" && "$max" -gt 0 ]] && [[ -z "$(verdicts "$report" FAIL)" ]]; then
		echo "seeded kit (unpatched): full marks, $total/$max$note: OK"
		passed=$((passed + 1))
	else
		fail_variant "kit (unpatched)" "scored $total/$max, not full marks" "$report"
	fi
fi

# Every seeded copy: exactly the named checks FAIL.
for name in "${names[@]}"; do
	check_submission "$name" || continue
	failing=$(verdicts "$report" FAIL)
	named=${must_fail[$name]}
	[[ "$named" == nothing ]] && named=""
	extra=()
	while IFS= read -r id; do
		[[ -n "$id" && " $named " != *" $id "* ]] && extra+=("$id")
	done <<<"$failing"
	missed=()
	for id in $named; do
		if grep -qxF -- "$id" <<<"$failing"; then
			continue
		elif verdicts "$report" OK | grep -qxF -- "$id"; then
			missed+=("$id (OK)")
		elif verdicts "$report" SKIP | grep -qxF -- "$id"; then
			missed+=("$id (SKIP)")
		else
			missed+=("$id (not graded: no such check in the parts $only)")
		fi
	done
	lost=$((max - total))
	if [[ ${#extra[@]} -gt 0 ]]; then
		fail_variant "$name" "also failed ${extra[*]}: only the checks of what it broke may" "$report"
	elif [[ -z "$named" && $lost -eq 0 ]]; then
		echo "seeded $name: lost nothing ($total/$max), as a correct solution must: OK"
		passed=$((passed + 1))
	elif [[ $lost -le 0 ]]; then
		fail_variant "$name" "lost no points ($total/$max)" "$report"
	elif [[ ${#missed[@]} -gt 0 ]]; then
		fail_variant "$name" "lost $lost points, but these did not FAIL: ${missed[*]}" "$report"
	else
		echo "seeded $name: lost $lost points: OK"
		echo "    FAIL: ${failing//$'\n'/ }"
		passed=$((passed + 1))
	fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
