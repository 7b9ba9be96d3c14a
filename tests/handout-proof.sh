#!/usr/bin/env bash
# The proof that the regions, their stubs and the rubric agree (issue 16, item 5):
#   regions  for every solution region R, a copy of the kit with only R replaced
#            by its stub loses exactly the checks whose `regions` name R, and
#            nothing else;
#   handout  `make handout` builds under -Werror, every program in it runs and
#            exits cleanly, it scores exactly the checks no region answers, and
#            no region's answer survives in it;
#   filled   a handout with one region's answer put back by hand (as a student
#            would) scores that region's checks too.
# Usage: tests/handout-proof.sh [regions|handout|filled|all] [REGION...]
# Needs what `make grade` needs (KVM, root for the namespace checks); run from CI.
set -uo pipefail
kit=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
shift || true
only=("$@")
work=$(mktemp -d "${TMPDIR:-/tmp}/handout-proof.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
status=0
say() { echo "handout-proof: $*"; }
fail() { echo "handout-proof: FAIL: $*" >&2; status=1; }

cd "$kit"
mapfile -t sources < <(git ls-files '*.c' '*.h' '*.S' 2>/dev/null || find . -name '*.[chS]' -not -path './build*')
# Every region: "FILE:LINE ID (question): what", one line per block.
mapfile -t blocks < <(for f in "${sources[@]}"; do
	grep -q 'SOLUTION ' "$f" && awk -v list=1 -f grader/handout/strip-regions.awk "$f"
done)
mapfile -t regions < <(printf '%s\n' "${blocks[@]}" | awk '{print $2}' | sort -u)
[[ ${#only[@]} -gt 0 ]] && regions=("${only[@]}")
# "CHECK POINTS REGION..." for every check of the rubric.
declared=$(grader/grade --regions) || { fail "grader/grade --regions failed"; exit 1; }

# The checks a region answers, sorted.
checks_of() {
	awk -v r="$1" '{ for (i = 3; i <= NF; i++) if ($i == r) { print $1; break } }' <<<"$declared" | sort
}

# Grade the tree in $1 with the kit's rubric; print the IDs of the checks that failed.
failed_checks() {
	(cd "$1" && grader/grade --rubric "$kit/grader/rubric" 2>&1) >"$1/grade.log"
	sed -nE 's/^([A-Za-z0-9._-]+): .* FAIL \([0-9.]+s\)$/\1/p' "$1/grade.log" | sort
}

# A copy of the kit, with what is built, for incremental builds of variants.
base="$work/base"
make_base() {
	mkdir -p "$base"
	tar -C "$kit" --exclude=./build/lab-d --exclude=./build-san --exclude=./.git -cf - . |
		tar -C "$base" -xf -
}

prove_region() { # REGION
	local r=$1 copy="$work/region-$1" expected got
	cp -a "$base" "$copy"
	for f in $(printf '%s\n' "${blocks[@]}" | awk -v r="$r" '$2 == r { sub(/:.*/, "", $1); print $1 }' | sort -u); do
		awk -v only="$r" -f grader/handout/strip-regions.awk "$f" >"$copy/$f"
	done
	if ! make -s -C "$copy" programs tests >"$copy/build.log" 2>&1; then
		fail "region $r: the kit with its stub does not build: $(tail -3 "$copy/build.log")"
		return
	fi
	expected=$(checks_of "$r")
	got=$(failed_checks "$copy")
	# Checks this machine cannot run (SKIP) cannot be observed: leave them out.
	skipped=$(sed -nE 's/^([A-Za-z0-9._-]+): .* SKIP \([0-9.]+s\)$/\1/p' "$copy/grade.log" | sort)
	observable=$(comm -23 <(echo "$expected") <(echo "$skipped") | sed '/^$/d')
	if [[ -z "$expected" ]]; then
		fail "region $r: no check names it in 'regions' (stubbed, it fails [$(echo $got)])"
	elif [[ "$observable" != "$got" ]]; then
		fail "region $r: stubbed, it fails [$(echo $got)] but the rubric says [$(echo $observable)]"
	elif [[ -z "$observable" ]]; then
		say "region $r: its check(s) cannot run here (SKIP: $(echo $expected)): not observed"
	else
		say "region $r: its stub fails exactly its $(wc -w <<<"$observable") check(s): $(echo $observable)"
	fi
	rm -rf "$copy"
}

# --- the handout ---------------------------------------------------------------

# Points of the checks whose regions all lie in the given set ("-" = none),
# among the checks of the rubric whose --regions listing is in $1.
points_within() { # LISTING REGION...
	local listing=$1
	shift
	awk -v set=" $* " '{ ok = 1; for (i = 3; i <= NF; i++) if ($i != "-" && index(set, " " $i " ") == 0) ok = 0; if (ok) sum += $2 } END { print sum + 0 }' <<<"$listing"
}

# The --regions listing without the checks that SKIPped in a grade.log
# (they count neither way).
ran_checks() { # GRADE_LOG LISTING
	awk 'NR == FNR { skipped[$1] = 1; next } !($1 in skipped)' \
		<(sed -nE 's/^([A-Za-z0-9._-]+): .* SKIP \([0-9.]+s\)$/\1/p' "$1") <(echo "$2")
}

# The score line of a grade.log: "N M" of "Score: N/M".
score_in() {
	sed -nE 's/^Score: ([0-9]+)\/([0-9]+).*/\1 \2/p' "$1" | tail -1
}

# Lines of the reference's answers that appear nowhere else in the kit must
# not appear anywhere in the handout; nor may grader/handout/leaks.list's.
check_leaks() { # HANDOUT
	local h=$1 n=0 leaks=0 line where
	while IFS= read -r line; do
		[[ -z "$line" ]] && continue
		where=$(grep -rlF --exclude=.handout --exclude-dir=build --exclude-dir=build-san \
			-- "$line" "$h" | head -1)
		if [[ -n "$where" ]]; then
			fail "the handout reveals an answer: '$line' (in ${where#"$h"/})"
			leaks=$((leaks + 1))
		fi
		n=$((n + 1))
	done < <(answer_lines; grep -v '^#' grader/handout/leaks.list | sed '/^$/d')
	[[ $leaks -eq 0 ]] && say "handout: none of $n answer lines and facts appears in it"
}

# Solution lines (trimmed, 24+ characters, not comments) found once in the kit: their region.
answer_lines() {
	local f
	for f in $(printf '%s\n' "${blocks[@]}" | sed 's/:.*//' | sort -u); do
		awk '/^[ \t]*#[ \t]*ifndef[ \t]+STUB_/ && /SOLUTION/ { in_sol = 1; next }
		     in_sol && /^[ \t]*#[ \t]*else/ { in_sol = 0; next }
		     in_sol { l = $0; gsub(/^[ \t]+|[ \t]+$/, "", l);
		              if (length(l) >= 24 && l !~ /^(\/\*|\*|\/\/)/) print l }' "$f"
	done | sort | uniq -u | while IFS= read -r l; do
		[[ $(grep -rF --include='*.[chS]' --include='*.md' -c -- "$l" . 2>/dev/null |
			awk -F: '{ s += $NF } END { print s }') -eq 1 ]] && printf '%s\n' "$l"
	done
}

prove_handout() {
	local h="$work/handout" log base_pts max_pts got listing
	grader/handout/make-handout.sh "$h" >"$work/make-handout.log" 2>&1 ||
		{ fail "make handout failed: $(tail -3 "$work/make-handout.log")"; return; }
	if ! make -s -C "$h" programs tests >"$h/build.log" 2>&1; then
		fail "the handout does not build: $(grep -m3 -E 'error|Error' "$h/build.log")"
		return
	fi
	say "handout: builds under -Werror"
	for p in lab-a lab-b lab-c lab-d lab-e isolate; do
		[[ -x "$h/$p" ]] || { fail "the handout has no $p"; continue; }
		"$h/$p" --help >/dev/null 2>&1 || fail "$p --help fails in the handout"
	done
	local out rc
	for run in "lab-a" "lab-b" "lab-c --root $work --in make-handout.log --out handout-out --force" \
		   "lab-e" "lab-d" "isolate true"; do
		out=$(cd "$h" && timeout 60 ./$run 2>&1); rc=$?
		# 125 is isolate's own "setup failed" (a stub says "not written
		# yet"); a timeout (124) or a signal (128+) is not a clean exit.
		if [[ $rc -eq 124 || $rc -ge 128 ]] || grep -qE 'Sanitizer|runtime error' <<<"$out"; then
			fail "./$run in the handout did not exit cleanly (status $rc): $(tail -2 <<<"$out")"
		fi
	done
	say "handout: every program runs and exits cleanly"
	(cd "$h" && grader/grade >"$h/grade.log" 2>&1)
	read -r got max_pts < <(score_in "$h/grade.log")
	listing=$(ran_checks "$h/grade.log" "$(cd "$h" && grader/grade --regions)")
	base_pts=$(points_within "$listing" -)
	if [[ "$got" != "$base_pts" ]]; then
		fail "the handout scores $got, but the checks no region answers are worth $base_pts: $(grep -E 'FAIL|OK' "$h/grade.log" | head -40)"
	else
		say "handout: scores its baseline, $got/$max_pts (the checks that need no student code)"
	fi
	check_leaks "$h"
}

# A student fills in one part's regions from the reference by hand: that
# part's checks pass too, and no others.
prove_filled() { # PART REGION...
	local part=$1 h="$work/filled-$1" f got want listing
	shift
	grader/handout/make-handout.sh "$h" >/dev/null 2>&1 || { fail "make handout failed"; return; }
	for f in $(printf '%s\n' "${blocks[@]}" | awk -v set=" $* " 'index(set, " " $2 " ") { sub(/:.*/, "", $1); print $1 }' | sort -u); do
		cp "$kit/$f" "$h/$f"
	done
	make -s -C "$h" programs tests >"$h/build.log" 2>&1 || { fail "filled $part does not build"; return; }
	(cd "$h" && grader/grade >"$h/grade.log" 2>&1)
	read -r got _ < <(score_in "$h/grade.log")
	listing=$(ran_checks "$h/grade.log" "$(cd "$h" && grader/grade --regions)")
	want=$(points_within "$listing" - "$@")
	if [[ "$got" != "$want" ]]; then
		fail "with $part filled in ($*), the handout scores $got, not $want: $(grep FAIL "$h/grade.log" | head)"
	else
		say "filled: the handout with $part's regions ($*) filled in scores $got: the baseline and $part's points"
	fi
}

if [[ "$what" == handout || "$what" == all ]]; then
	prove_handout
fi
if [[ "$what" == filled || "$what" == all ]]; then
	prove_filled lab-b b1 b2
	prove_filled lab-c c1 c2 c3 c4
fi
if [[ "$what" == regions || "$what" == all ]]; then
	make_base
	say "${#regions[@]} regions: ${regions[*]}"
	for r in "${regions[@]}"; do
		prove_region "$r"
	done
fi
exit $status
