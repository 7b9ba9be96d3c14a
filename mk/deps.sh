#!/usr/bin/env bash
# Make sure the Debian packages the kit builds and runs with are present.
# As root, install what is missing with apt-get; otherwise print the exact
# command to run and fail. `mk/deps.sh --list` prints the package list;
# `--list-required` leaves out the optional ones (what autograding installs);
# `mk/deps.sh PACKAGE...` does the same for just those packages (make diagrams
# asks for graphviz alone).
set -euo pipefail

packages=(
	gcc clang make binutils libc6-dev pkg-config   # toolchains (the kit builds with gcc and clang)
	libcmocka-dev                                   # unit tests
	graphviz                                        # make diagrams
	iproute2 iputils-ping procps util-linux         # isolate, ns-*: ip, ping, ps, unshare, setpriv
	slirp4netns                                     # isolate's rootless networking
	patch                                           # make check-grader applies seeded bugs
	ccache                                          # grader/grade --tree/--batch: a source shared by many submissions compiles once
)
# Parts of the kit add packages in mk/deps.d/NAME.list (one name per line, #
# comments). NAME.optional.list holds packages only an optional part needs
# (the lab-d bonus's QEMU run): installed as root, only mentioned otherwise,
# and never installed when KIT_DEPS_OPTIONAL=no (autograding, which does not
# run that part, sets it: grader/ci-grade.sh, the Gradescope run_autograder).
optional=()
read_list() {
	local name _
	while read -r name _; do
		[[ -z "$name" || "$name" == \#* ]] || echo "$name"
	done <"$1"
}
shopt -s nullglob
for list in "$(dirname "$0")"/deps.d/*.list; do
	if [[ "$list" == *.optional.list ]]; then
		mapfile -t -O "${#optional[@]}" optional < <(read_list "$list")
	else
		mapfile -t -O "${#packages[@]}" packages < <(read_list "$list")
	fi
done

if [[ "${1:-}" == "--list" ]]; then
	printf '%s\n' "${packages[@]}" "${optional[@]}"
	exit 0
fi
if [[ "${1:-}" == "--list-required" ]]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi
if [[ $# -gt 0 ]]; then # only these
	packages=("$@")
	optional=()
fi

missing_from() {
	local pkg status
	for pkg in "$@"; do
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
		[[ "$status" == "install ok installed" ]] || echo "$pkg"
	done
}
mapfile -t missing < <(missing_from "${packages[@]}")
mapfile -t missing_optional < <(missing_from "${optional[@]}")

if [[ $(id -u) -ne 0 ]]; then
	if [[ ${#missing_optional[@]} -gt 0 ]]; then
		echo "deps: optional, for make lab-d-vm: sudo apt-get install -y ${missing_optional[*]}" >&2
	fi
	[[ ${#missing[@]} -eq 0 ]] && exit 0
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
[[ "${KIT_DEPS_OPTIONAL:-}" == no ]] || missing+=("${missing_optional[@]}")
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
