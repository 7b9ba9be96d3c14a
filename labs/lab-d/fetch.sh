#!/usr/bin/env bash
# Fetch the Debian 12 kernel packages lab-d builds against and boots, and
# unpack them into build/lab-d/root. Nothing is installed: the packages are
# fetched with 'apt-get download' and unpacked with 'dpkg-deb -x', so the
# host's kernel, modules and boot configuration stay as they are.
#
# All five packages come from one build of Debian's 'linux' source package,
# the version of linux-source-6.1 (LAB_D_KVERSION=... picks another one).
# Exit status: 0 done, 1 failed, 77 cannot be done here (no apt data, no mirror).
export LAB_D_STEP=${LAB_D_STEP:-lab-d-fetch}
source "$(dirname "$0")/lib.sh"

need_tools apt-get:apt apt-cache:apt dpkg-deb:dpkg xz:xz-utils

version=$(resolve_version)
abi=$(resolve_abi "$version")
mapfile -t packages < <(kernel_packages "$abi")

deb_path() { # PACKAGE -> the .deb we keep for it, whatever its architecture
	local f
	for f in "$LAB_D_DEBS/$1_${version}_"*.deb; do
		if [[ -e "$f" ]]; then
			echo "$f"
			return
		fi
	done
}

already_unpacked() {
	[[ -r "$LAB_D_ROOT/.lab-d-state" ]] &&
		grep -qx "KVERSION=$version" "$LAB_D_ROOT/.lab-d-state" &&
		[[ -e "$LAB_D_ROOT/boot/vmlinuz-$abi-amd64" ]]
}

if already_unpacked; then
	say "Debian kernel $version (ABI $abi-amd64): packages already unpacked in ${LAB_D_ROOT#"$KIT_TOP"/}"
	exit 0
fi

# 1. Download what is not cached yet, into a scratch folder first so that an
#    interrupted download never leaves a truncated .deb behind.
mkdir -p "$LAB_D_DEBS"
wanted=()
for pkg in "${packages[@]}"; do
	[[ -n "$(deb_path "$pkg")" ]] || wanted+=("$pkg=$version")
done
if [[ ${#wanted[@]} -gt 0 ]]; then
	say "downloading ${#wanted[@]} Debian packages of version $version (about 230 MB):"
	printf '  %s\n' "${wanted[@]}"
	partial=$(mktemp -d "$LAB_D_DEBS/.partial.XXXXXX")
	trap 'rm -rf "$partial"' EXIT
	sandbox=()
	[[ $(id -u) -eq 0 ]] && sandbox=(-o APT::Sandbox::User=root) # root: no _apt sandbox warning
	if ! (cd "$partial" && apt-get -qq "${sandbox[@]}" download "${wanted[@]}"); then
		fail $EXIT_SKIP "apt-get download failed: Debian's package mirror is not reachable," \
			"or its lists are stale (run 'apt-get update')"
	fi
	mv "$partial"/*.deb "$LAB_D_DEBS"/
fi

# 2. Check that they really are one build: same version, the packages we asked for.
for pkg in "${packages[@]}"; do
	deb=$(deb_path "$pkg")
	[[ -n "$deb" ]] || fail $EXIT_FAIL "$pkg $version is missing from ${LAB_D_DEBS#"$KIT_TOP"/}"
	got="$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
	[[ "$got" == "$pkg $version" ]] || fail $EXIT_FAIL \
		"${deb##*/} holds '$got', expected '$pkg $version'; delete it and run again"
done

# 3. Unpack them all into a fresh private root.
say "unpacking into ${LAB_D_ROOT#"$KIT_TOP"/} (dpkg-deb -x: nothing is installed)"
rm -rf "$LAB_D_ROOT"
mkdir -p "$LAB_D_ROOT"
for pkg in "${packages[@]}"; do
	dpkg-deb -x "$(deb_path "$pkg")" "$LAB_D_ROOT"
done
[[ -e "$LAB_D_ROOT/boot/vmlinuz-$abi-amd64" ]] ||
	fail $EXIT_FAIL "the image package holds no boot/vmlinuz-$abi-amd64"
printf 'KVERSION=%s\nKABI=%s\n' "$version" "$abi" >"$LAB_D_ROOT/.lab-d-state"
say "Debian kernel $version (ABI $abi-amd64) ready"
