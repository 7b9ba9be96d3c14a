#!/usr/bin/env bash
# The README's two commands pass wherever the kit is cloned: here, in a
# folder other users cannot enter (mode 0700, as /root, a new Debian home or
# mktemp -d) whose path also has a space in it. Clones this checkout's HEAD
# there and runs `make grade` and `make check`; both must pass, the grade
# with every check that ran OK (SKIPs must name their reason).
# Usage: tests/clone-anywhere.sh [MAKE_ARGS...]   (e.g. LAB_D_VM=1)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=$(mktemp -d)   # mode 0700
trap 'chmod -R u+w "$base" 2>/dev/null; rm -rf "$base"' EXIT
dest="$base/dir with space/kit"
mkdir -p "$(dirname "$dest")"
git clone -q "$here" "$dest"
echo "clone-anywhere: cloned into '$dest' (parent mode $(stat -c %a "$base"))"
cd "$dest"
log="$base/grade.log"
if ! make grade "$@" 2>&1 | tee "$log" | grep -E '^(Score|  Part)|FAIL|SKIP'; then
	:
fi
score=$(grep -E '^Score: ' "$log" | tail -1)
if [[ -z "$score" ]] || grep -qE '\.\. FAIL|\.\.\. FAIL| FAIL \(' "$log"; then
	echo "clone-anywhere: make grade in '$dest' did not pass: ${score:-no score}" >&2
	exit 1
fi
read -r got max < <(sed -E 's/^Score: ([0-9]+)\/([0-9]+).*/\1 \2/' <<<"$score")
if [[ "$got" != "$max" ]]; then
	echo "clone-anywhere: make grade in '$dest': $score, not full marks" >&2
	exit 1
fi
make check "$@"
echo "clone-anywhere: make grade ($score) and make check pass in a 0700 folder with a space in its path"
