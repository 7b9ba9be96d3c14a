#!/usr/bin/env bash
# make handout HANDOUT=DIR: write the student tree, ready to `git init`.
#
#   - every file of the kit (git's list, or every file but build output),
#     but those grader/handout/exclude.list names (answer programs, patches,
#     the answers, the seeded bugs, this folder's own sources ...);
#   - every solution region of a C file replaced by its stub
#     (strip-regions.awk); in Markdown, the lines between
#     "<!-- SOLUTION -->" and "<!-- END SOLUTION -->" dropped, and the lines
#     between "<!-- HANDOUT" and "HANDOUT -->" kept, without those two lines;
#   - grader/handout/overlay/ copied over it (the students' README, the CI
#     workflow), and answers/ made of answers/questions/ (the questions,
#     with room for the answers);
#   - .handout: the contract (which files a student edits) and the identity
#     of this handout, which the grader checks in every submission.
# reference-only.list names regions (one ID a line) that show the reference's
# own demonstrations, not student work: their files stay out of the contract.
# Usage: grader/handout/make-handout.sh DIR     (DIR must not exist or be empty)
set -euo pipefail
kit=$(cd "$(dirname "$0")/../.." && pwd)
here="$kit/grader/handout"
die() { echo "make-handout: $*" >&2; exit "${2:-1}"; }

dest=${1:-}
[[ -n "$dest" ]] || die "usage: make handout HANDOUT=DIR (a new or empty folder)" 2
if [[ -e "$dest" ]] && [[ -n "$(ls -A "$dest" 2>/dev/null)" ]]; then
	die "$dest exists and is not empty: name a new folder (nothing is overwritten)" 2
fi
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
case "$dest/" in "$kit"/*) die "$dest is inside the kit: choose a folder outside it" 2 ;; esac

cd "$kit"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files --cached --others --exclude-standard)
	version=$(git describe --always --dirty 2>/dev/null || echo unknown)
else
	mapfile -t files < <(find . -type f -not -path './build*' -not -path './.git/*' | sed 's|^\./||')
	version=unknown
fi

excluded() { # PATH: listed in exclude.list (shell patterns, # comments)?
	local pattern
	while read -r pattern _; do
		[[ -z "$pattern" || "$pattern" == \#* ]] && continue
		# shellcheck disable=SC2053
		[[ "$1" == $pattern ]] && return 0
	done <"$here/exclude.list"
	return 1
}

strip_markdown() {
	awk '
		/^<!-- SOLUTION -->$/ { skip = 1; next }
		/^<!-- END SOLUTION -->$/ { skip = 0; next }
		/^<!-- HANDOUT$/ { next }
		/^HANDOUT -->$/ { next }
		!skip { print }
		END { if (skip) { print FILENAME ": a SOLUTION block never ends" > "/dev/stderr"; exit 1 } }
	' "$1"
}

copied=0
for f in "${files[@]}"; do
	[[ -f "$f" ]] || continue
	excluded "$f" && continue
	mkdir -p "$dest/$(dirname "$f")"
	case "$f" in
	*.c | *.h | *.S) awk -f "$here/strip-regions.awk" "$f" >"$dest/$f" ;;
	*.md) strip_markdown "$f" >"$dest/$f" ;;
	*) cp -p "$f" "$dest/$f" ;;
	esac
	[[ -x "$f" ]] && chmod +x "$dest/$f"
	copied=$((copied + 1))
done
cp -a "$here/overlay/." "$dest/"
# The answers: the questions in the kit's words, each with room for the student's.
mkdir -p "$dest/answers"
for q in answers/questions/*.md; do
	[[ "$(basename "$q")" == README.md ]] || strip_markdown "$q" >"$dest/answers/$(basename "$q")"
done

# The contract: the files with regions, and the answers. Nothing else of a
# submission is ever taken (grader/handout/README.md, "Submissions").
{
	echo "# This is a student tree of the OS lab kit, made by 'make handout'."
	echo "# The grader takes only the files listed under 'edit' from a submission,"
	echo "# onto a fresh copy of this handout: change only those."
	echo "handout $version $(date -u +%Y-%m-%d)"
	for f in "${files[@]}"; do
		case "$f" in *.c | *.h | *.S) ;; *) continue ;; esac
		excluded "$f" && continue
		# Regions of the reference's own demonstrations (lab-a's printed answers)
		# are not the student's to write: their files are not in the contract.
		if grep -q 'SOLUTION ' "$f" && awk -v list=1 -f "$here/strip-regions.awk" "$f" |
			awk '{ print $2 }' | grep -qvxF -f "$here/reference-only.list"; then
			echo "edit $f"
		fi
	done
	# The overlay's files under labs/ are the student's too (lab-d's patch).
	(cd "$here/overlay" && find labs -type f 2>/dev/null | sort | sed 's/^/edit /')
	for q in answers/questions/*.md; do
		[[ "$(basename "$q")" == README.md ]] || echo "edit answers/$(basename "$q")"
	done
} >"$dest/.handout"
echo "make-handout: $copied files into $dest, $(grep -c '^edit ' "$dest/.handout") for students to edit (listed in $dest/.handout)"
