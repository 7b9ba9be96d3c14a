#!/usr/bin/env bash
# Can lab-d-modules and lab-d-vm run here? Exit 0 yes; 77 no, with the reason
# and the command that fixes it (the grader shows 77 as SKIP).
# --install (as root): apt-get install whatever Debian package is missing.
export LAB_D_STEP=${LAB_D_STEP:-lab-d-vm}
source "$(dirname "$0")/lib.sh"

# command:Debian package
TOOLS=(qemu-system-x86_64:qemu-system-x86 busybox:busybox-static gcc-12:gcc-12
	make:make objcopy:binutils readelf:binutils patch:patch xz:xz-utils
	apt-get:apt dpkg-deb:dpkg gzip:gzip timeout:coreutils)

missing_packages() {
	local pair tool pkg
	for pair in "${TOOLS[@]}"; do
		tool=${pair%%:*} pkg=${pair#*:}
		command -v "$tool" >/dev/null 2>&1 || echo "$pkg"
	done
	# Debian's dynamic busybox cannot run in an initramfs without a C library.
	if command -v busybox >/dev/null 2>&1 && readelf -lW "$(command -v busybox)" 2>/dev/null | grep -q INTERP; then
		echo busybox-static
	fi
}

mapfile -t missing < <(missing_packages | sort -u)
if [[ "${1:-}" == "--install" && ${#missing[@]} -gt 0 ]]; then
	[[ $(id -u) -eq 0 ]] || fail $EXIT_FAIL "run as root: apt-get install -y --no-install-recommends ${missing[*]}"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	mapfile -t missing < <(missing_packages | sort -u)
fi
[[ ${#missing[@]} -eq 0 ]] || fail $EXIT_SKIP \
	"SKIP: needs ${missing[*]}: apt-get install -y --no-install-recommends ${missing[*]}" \
	"(or 'make lab-d-deps' as root)"

# The kernel packages: fetched before, or known to apt so they can be fetched.
if [[ -z "$(cached_source_version)" ]]; then
	v=$(apt-cache policy "$SOURCE_PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: *//p' || true)
	[[ -n "$v" && "$v" != "(none)" ]] || fail $EXIT_SKIP \
		"SKIP: apt knows no $SOURCE_PACKAGE (Debian 12's kernel source); run 'apt-get update'"
fi
[[ "${1:-}" == "--install" ]] && say "everything lab-d-modules and lab-d-vm need is here"
exit 0
