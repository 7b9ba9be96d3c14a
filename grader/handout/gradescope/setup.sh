#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (Ubuntu): the kit's packages, then a first build of the pristine handout,
# which fills ccache so that each submission's build compiles only what the
# student changed. AUTOGRADER_ROOT (default /autograder) relocates it, to try
# it in a scratch folder (tests/autograder-proof.sh does).
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
handout=$root/source/handout
export DEBIAN_FRONTEND=noninteractive KIT_DEPS_OPTIONAL=no

mapfile -t packages < <("$handout/mk/deps.sh" --list-required)
missing=()
for p in "${packages[@]}"; do
	[[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The same compiler the grader's builds use (CC="ccache cc", the copy's folder left out of the key).
CCACHE_NOHASHDIR=1 make -s -C "$handout" -j"$(nproc)" all CC="ccache cc" >/dev/null
echo "setup: the handout builds; its grader: $handout/grader/grade"
