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
	if [[ -z "$expected" ]]; then
		fail "region $r: no check names it in 'regions': nothing would notice its stub"
	elif [[ "$expected" != "$got" ]]; then
		fail "region $r: stubbed, it fails [$(echo $got)] but the rubric says [$(echo $expected)]"
	else
		say "region $r: its stub fails exactly its $(wc -w <<<"$expected") check(s): $(echo $expected)"
	fi
	rm -rf "$copy"
}

if [[ "$what" == regions || "$what" == all ]]; then
	make_base
	say "${#regions[@]} regions: ${regions[*]}"
	for r in "${regions[@]}"; do
		prove_region "$r"
	done
fi
exit $status
