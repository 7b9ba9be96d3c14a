#!/usr/bin/env bash
# make autograder: the Gradescope autograder, a zip of
#
#   setup.sh          installs the kit's packages, builds the handout once (ccache)
#   run_autograder    grades /autograder/submission by the submission contract
#   handout/          the pristine handout (make handout), with its rubric and grader
#   private-rubric/   PRIVATE_RUBRIC=DIR: checks students never see, merged at grading
#
# Usage: grader/handout/make-autograder.sh ZIP [PRIVATE_RUBRIC_DIR]
set -euo pipefail
kit=$(cd "$(dirname "$0")/../.." && pwd)
here=$kit/grader/handout
die() { echo "make-autograder: $1" >&2; exit "${2:-1}"; }

zip_path=${1:-}
private=${2:-}
[[ -n "$zip_path" ]] || die "usage: make-autograder.sh ZIP [PRIVATE_RUBRIC_DIR]" 2
command -v zip >/dev/null || die "zip is not installed: make deps (as root) installs it" 2
if [[ -n "$private" ]]; then
	[[ -d "$private" ]] || die "PRIVATE_RUBRIC=$private: not a folder (of *.rubric files)" 2
	compgen -G "$private/*.rubric" >/dev/null || die "PRIVATE_RUBRIC=$private: no *.rubric files in it" 2
fi
mkdir -p "$(dirname "$zip_path")"
zip_path=$(cd "$(dirname "$zip_path")" && pwd)/$(basename "$zip_path")

work=$(mktemp -d "${TMPDIR:-/tmp}/make-autograder.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/autograder
mkdir -p "$stage"
"$here/make-handout.sh" "$stage/handout" >/dev/null
cp "$here/gradescope/setup.sh" "$here/gradescope/run_autograder" "$stage/"
chmod 755 "$stage/setup.sh" "$stage/run_autograder"

if [[ -n "$private" ]]; then
	mkdir -p "$stage/private-rubric" && cp -a "$private/." "$stage/private-rubric/"
	# The private checks must parse together with the handout's (no duplicate IDs).
	make -s -C "$kit" grader/grade >/dev/null
	"$kit/grader/grade" --rubric "$stage/handout/grader/rubric" --rubric-extra "$stage/private-rubric" --list \
		>/dev/null || die "the private rubric does not fit the handout's (the line above says why)" 2
	# A check without `visibility` shows its name and output to students on Gradescope.
	awk '/^[ \t]*check[ \t]/ { if (id && !vis) print id; id = $2; vis = 0 }
	     /^[ \t]*visibility[ \t]/ { vis = 1 }
	     END { if (id && !vis) print id }' "$stage"/private-rubric/*.rubric |
		while read -r id; do
			echo "make-autograder: note: private check $id has no 'visibility' line: students will see its result (visible)" >&2
		done
fi
rm -f "$zip_path"
(cd "$stage" && zip -q -r -X "$zip_path" .)
echo "make-autograder: $zip_path ($(du -h "$zip_path" | cut -f1)): upload it as the autograder of a Gradescope" \
	"programming assignment (Ubuntu base image); grader/COURSE.md says what it can and cannot run there"
