#!/usr/bin/env bash
# The proof that the packaged autograders grade what they should (issue 16, item 5(d)).
#
#   gradescope  `make autograder`, build/autograder.zip unpacked into a scratch folder laid
#               out like Gradescope's (AUTOGRADER_ROOT=R: R/source, R/submission,
#               R/results), setup.sh run once, then run_autograder on
#                 (i)   the reference: the handout with the kit's own versions of the files
#                       .handout lists as 'edit': every check that runs here passes;
#                 (ii)  the handout as given: exactly the checks whose `regions` is empty
#                       pass (the baseline, from grader/grade --regions), the others fail;
#                 (iii) the handout with a Makefile and rubric changed to pass everything:
#                       the same baseline (only 'edit' files count);
#                 (iv)  trees that are not submissions (the kit; another handout's copy):
#                       refused, score 0, results.json says why.
#   github      the handout's grader/ci-grade.sh, as its workflow runs it (GITHUB_OUTPUT and
#               GITHUB_STEP_SUMMARY set): (i) in a git repository whose first commit is the
#               handout (the pristine copy comes from it, as on GitHub), (ii) with --handout,
#               (iv) refused; the base64 result decoded is what GitHub Classroom's reporter
#               reads, and `ci-grade.sh setup --dry-run` names the udev rule.
#
# Usage: tests/autograder-proof.sh [gradescope|github|all]
#   AUTOGRADER_ZIP=FILE uses that zip; AUTOGRADER_PROOF_KEEP=1 keeps the scratch folder.
# Needs what `make grade` needs (KVM, root for the namespace checks); run from CI.
# shellcheck disable=SC2317 # the submission makers are called through run_gradescope
set -uo pipefail
kit=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
work=$(mktemp -d "${TMPDIR:-/tmp}/autograder-proof.XXXXXX")
if [[ -n "${AUTOGRADER_PROOF_KEEP:-}" ]]; then
	echo "autograder-proof: keeping $work"
else
	trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
status=0
say() { echo "autograder-proof: $*"; }
fail() { echo "autograder-proof: FAIL: $*" >&2; status=1; }
case "$what" in gradescope | github | all) ;; *) echo "usage: $0 [gradescope|github|all]" >&2; exit 2 ;; esac
for tool in jq unzip base64 git; do
	command -v "$tool" >/dev/null || { echo "autograder-proof: $tool is missing: make deps installs it" >&2; exit 2; }
done

# --- the zip, unpacked as Gradescope does
zip=${AUTOGRADER_ZIP:-}
if [[ -z "$zip" ]]; then
	make -s -C "$kit" autograder >"$work/make-autograder.log" 2>&1 || {
		cat "$work/make-autograder.log" >&2
		echo "autograder-proof: make autograder failed" >&2
		exit 1
	}
	zip=$kit/build/autograder.zip
fi
gs=$work/gradescope
mkdir -p "$gs/source"
unzip -q "$zip" -d "$gs/source" || { echo "autograder-proof: cannot unpack $zip" >&2; exit 1; }
for f in setup.sh run_autograder handout/.handout handout/grader/ci-grade.sh handout/.github/workflows/classroom.yml; do
	[[ -e "$gs/source/$f" ]] || fail "the zip has no $f"
done
handout=$gs/source/handout
say "setup.sh (packages, a first build of the handout under -Werror)"
if ! AUTOGRADER_ROOT=$gs "$gs/source/setup.sh" >"$work/setup.log" 2>&1; then
	tail -20 "$work/setup.log" >&2
	echo "autograder-proof: setup.sh failed" >&2
	exit 1
fi
cp "$gs/source/run_autograder" "$gs/run_autograder" # where Gradescope puts it
make -s -C "$handout" grade GRADE_FLAGS='--only lab-b.bad-input' >"$work/make-grade.log" 2>&1 ||
	fail "make grade does not run in the handout: $(tail -3 "$work/make-grade.log")"

# --- what to expect: "ID POINTS REGION..." of the handout's own rubric
declare -A points_of regions_of
while read -r id points regions; do
	points_of[$id]=$points
	regions_of[$id]=$regions
done < <("$handout/grader/grade" --regions)
baseline=0
for id in "${!regions_of[@]}"; do
	[[ "${regions_of[$id]}" == - ]] && baseline=$((baseline + points_of[$id]))
done
say "${#regions_of[@]} checks in the handout's rubric; those no region answers are worth $baseline points"

# A submission: a copy of the handout; "reference" also takes the kit's versions of its edit files.
make_submission() { # DEST reference|handout
	mkdir -p "$1"
	tar -C "$handout" --exclude=./build --exclude=./build-san -cf - . | tar -C "$1" -xf -
	[[ "$2" == reference ]] || return 0
	sed -n 's/^edit //p' "$handout/.handout" | while read -r f; do
		[[ -f "$kit/$f" ]] && cp "$kit/$f" "$1/$f"
	done
}

# Check "ID<TAB>SCORE<TAB>STATUS" lines (status pass or fail) against the rubric: full marks,
# or the baseline. $4: the score the results file claims.
verify() { # LABEL full|baseline TSV SCORE
	local label=$1 mode=$2 tsv=$3 claimed=$4 want=0 ran=0 wrong=() id st expect
	while IFS=$'\t' read -r id _ st; do
		[[ -z "$id" ]] && continue
		ran=$((ran + 1))
		if [[ -z "${points_of[$id]+x}" ]]; then
			wrong+=("$id (not in the handout's rubric)")
			continue
		fi
		expect=pass
		[[ "$mode" == baseline && "${regions_of[$id]}" != - ]] && expect=fail
		[[ "$expect" == pass ]] && want=$((want + points_of[$id]))
		[[ "$st" == "$expect" ]] || wrong+=("$id ($st, should $expect; regions: ${regions_of[$id]})")
	done <<<"$tsv"
	if [[ $ran -eq 0 ]]; then
		fail "$label: no check ran"
	elif [[ ${#wrong[@]} -gt 0 ]]; then
		fail "$label: ${#wrong[@]} check(s) wrong: ${wrong[*]}"
	elif [[ "$claimed" != "$want" ]]; then
		fail "$label: scored $claimed, expected $want"
	else
		say "$label: $claimed points, exactly as expected ($ran checks ran; $((${#points_of[@]} - ran)) skipped here)"
	fi
}

gradescope_tsv() { # results.json: ID, score, pass|fail
	jq -r '.tests[] | [(.name | sub(": .*$"; "")), .score, (if .status == "passed" then "pass" else "fail" end)] | @tsv' "$1"
}

run_gradescope() { # LABEL SUBMISSION-SETUP...: fills R/submission, runs run_autograder
	local label=$1
	shift
	rm -rf "$gs/submission" "$gs/results"
	mkdir -p "$gs/results"
	"$@" "$gs/submission"
	(cd "$gs" && AUTOGRADER_ROOT=$gs ./run_autograder >"$gs/results/stdout" 2>&1)
	local rc=$?
	cp "$gs/results/stdout" "$work/$label.stdout" 2>/dev/null
	[[ $rc -eq 0 ]] || fail "$label: run_autograder exited with status $rc (log: $(tail -3 "$gs/results/stdout"))"
	if ! [[ -s "$gs/results/results.json" ]] || ! jq -e . "$gs/results/results.json" >/dev/null; then
		fail "$label: no valid results.json"
		return 1
	fi
	cp "$gs/results/results.json" "$work/$label.json"
}

reference() { make_submission "$1" reference; }
as_given() { make_submission "$1" handout; }
cheating() { # pass everything if the submission's own Makefile and rubric counted
	make_submission "$1" handout
	sed -i 's/^\([[:space:]]*run[[:space:]]\).*/\1true/; /^[[:space:]]*\(expect\|forbid\|status\)[[:space:]]/d' \
		"$1"/grader/rubric/*.rubric
	printf 'all:\n\t@true\n' >"$1/Makefile"
}
the_kit() { mkdir -p "$1" && git -C "$kit" ls-files -z | (cd "$kit" && xargs -0 cp --parents -t "$1") 2>/dev/null; }
another_handout() { make_submission "$1" handout && sed -i 's/^handout .*/handout another-course 2020-01-01/' "$1/.handout"; }

if [[ "$what" == gradescope || "$what" == all ]]; then
	if run_gradescope gs-reference reference; then
		verify "gradescope (i) the reference" full "$(gradescope_tsv "$work/gs-reference.json")" \
			"$(jq .score "$work/gs-reference.json")"
	fi
	if run_gradescope gs-handout as_given; then
		verify "gradescope (ii) the handout as given" baseline "$(gradescope_tsv "$work/gs-handout.json")" \
			"$(jq .score "$work/gs-handout.json")"
	fi
	if run_gradescope gs-cheating cheating; then
		verify "gradescope (iii) its Makefile and rubric changed" baseline \
			"$(gradescope_tsv "$work/gs-cheating.json")" "$(jq .score "$work/gs-cheating.json")"
		jq -r .output "$work/gs-cheating.json" | grep -q '^ignored: the submission changes .*Makefile' ||
			fail "gradescope (iii): results.json does not say the Makefile change was ignored"
	fi
	for kind in the_kit another_handout; do
		if run_gradescope "gs-$kind" "$kind"; then
			if [[ "$(jq '.score, (.tests | length)' "$work/gs-$kind.json" | tr '\n' ' ')" == "0 0 " ]] &&
				jq -r .output "$work/gs-$kind.json" | grep -q 'is not a submission of this handout: .*(the contract: '; then
				say "gradescope (iv) $kind: refused: $(jq -r .output "$work/gs-$kind.json" | cut -c1-110)..."
			else
				fail "gradescope (iv) $kind: not refused: $(jq -c . "$work/gs-$kind.json" | cut -c1-300)"
			fi
		fi
	done
fi

# --- GitHub: the handout's own ci-grade.sh, as its workflow runs it
classroom_tsv() { # the base64 result line of a GITHUB_OUTPUT file, decoded: ID, score, status
	sed -n 's/^result=//p' "$1" | base64 -d | jq -r '.tests[] | [(.name | sub(": .*$"; "")), .score, .status] | @tsv'
}
classroom_field() { sed -n 's/^result=//p' "$1" | base64 -d | jq -r "$2"; }

run_github() { # LABEL DIR [CI-GRADE-OPTION...]: runs DIR/grader/ci-grade.sh
	local label=$1 dir=$2 rc
	shift 2
	mkdir -p "$work/$label"
	: >"$work/$label/output"
	: >"$work/$label/summary"
	GITHUB_OUTPUT=$work/$label/output GITHUB_STEP_SUMMARY=$work/$label/summary \
		"$dir/grader/ci-grade.sh" grade --out "$work/$label/results" "$@" >"$work/$label/log" 2>&1
	rc=$?
	echo "$rc" >"$work/$label/status"
	grep -q '^result=' "$work/$label/output" || { fail "$label: no result= line in GITHUB_OUTPUT (status $rc)"; return 1; }
}

if [[ "$what" == github || "$what" == all ]]; then
	plan=$("$handout/grader/ci-grade.sh" setup --dry-run 2>&1)
	for step in 'KERNEL=="kvm", GROUP="kvm", MODE="0666"' 'udevadm control --reload-rules' \
		'udevadm trigger --name-match=kvm' 'apt-get install'; do
		grep -qF "$step" <<<"$plan" || fail "ci-grade.sh setup does not do: $step"
	done
	# (i) As on GitHub: a repository whose first commit is the handout, then the student's work.
	repo=$work/repo
	as_given "$repo"
	git -C "$repo" init -q && git -C "$repo" add -A &&
		git -C "$repo" -c user.name=proof -c user.email=proof@example.org commit -qm "the handout"
	reference "$work/reference-files" && sed -n 's/^edit //p' "$handout/.handout" | while read -r f; do
		cp "$work/reference-files/$f" "$repo/$f"
	done
	git -C "$repo" -c user.name=proof -c user.email=proof@example.org commit -qam "my work"
	if run_github gh-reference "$repo"; then
		grep -q "the pristine handout: the repository's first commit" "$work/gh-reference/log" ||
			fail "github (i): the pristine handout did not come from the first commit: $(grep ci-grade: "$work/gh-reference/log")"
		[[ "$(classroom_field "$work/gh-reference/output" .status)" == pass ]] ||
			fail "github (i): status is not pass"
		verify "github (i) the reference, pristine from git" full "$(classroom_tsv "$work/gh-reference/output")" \
			"$(classroom_field "$work/gh-reference/output" '[.tests[].score] | add')"
		grep -q '^## Autograding: [0-9]*/[0-9]* points$' "$work/gh-reference/summary" &&
			grep -q '^| OK | `' "$work/gh-reference/summary" ||
			fail "github (i): the job summary has no score line and table"
	fi
	as_given "$work/gh-handout-sub"
	if run_github gh-handout "$handout" --submission "$work/gh-handout-sub" --handout "$handout"; then
		verify "github (ii) the handout as given" baseline "$(classroom_tsv "$work/gh-handout/output")" \
			"$(classroom_field "$work/gh-handout/output" '[.tests[].score] | add')"
		[[ "$(cat "$work/gh-handout/status")" == 1 ]] || fail "github (ii): ci-grade.sh did not exit 1 (checks failed)"
	fi
	the_kit "$work/gh-kit"
	if run_github gh-kit "$handout" --submission "$work/gh-kit" --handout "$handout"; then
		if [[ "$(cat "$work/gh-kit/status")" == 2 && "$(classroom_field "$work/gh-kit/output" .status)" == error ]] &&
			grep -q 'not graded' "$work/gh-kit/summary"; then
			say "github (iv) the kit: refused (status 2, result status error, the summary says why)"
		else
			fail "github (iv) the kit: not refused (status $(cat "$work/gh-kit/status"))"
		fi
	fi
fi
[[ $status -eq 0 ]] && say "all passed" || say "FAILED (AUTOGRADER_PROOF_KEEP=1 keeps the logs and results)"
exit $status
