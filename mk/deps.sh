#!/usr/bin/env bash
# Make sure the Debian packages the kit builds and runs with are present.
# As root, install what is missing with apt-get; otherwise print the exact
# command to run and fail. `mk/deps.sh --list` prints the package list.
set -euo pipefail

packages=(
	gcc clang make binutils libc6-dev pkg-config   # toolchains (the kit builds with gcc and clang)
	libcmocka-dev                                   # unit tests
	graphviz                                        # make diagrams
	iproute2 iputils-ping procps util-linux         # isolate, ns-*: ip, ping, ps, unshare, setpriv
	slirp4netns                                     # isolate's rootless networking
)
# Parts of the kit may add packages in mk/deps.d/*.list (one name per line, # comments).
shopt -s nullglob
for list in "$(dirname "$0")"/deps.d/*.list; do
	while read -r name _; do
		[[ -z "$name" || "$name" == \#* ]] || packages+=("$name")
	done <"$list"
done

if [[ "${1:-}" == "--list" ]]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
