# shellcheck shell=bash disable=SC2034 # its variables are for the scripts that source it
# Shared by the lab-d scripts (sourced, not run): where things live, the
# Debian version they agree on, and how each step reports.
#
# Everything is built under build/lab-d/ of the kit; nothing is installed and
# the host's kernel, modules and boot configuration are never touched.
#
#   build/lab-d/debs/      the .deb files, fetched with apt-get download
#                          (LAB_D_DEBS=DIR keeps them elsewhere, e.g. across 'make clean')
#   build/lab-d/root/      the packages unpacked with dpkg-deb -x, a private sysroot:
#     boot/vmlinuz-ABI           the kernel that lab-d-vm boots
#     lib/modules/ABI/           its stock modules (the unpatched kvm.ko for comparison)
#     usr/src/linux-headers-ABI-{common,amd64}, usr/lib/linux-kbuild-6.1
#                                the headers and kbuild the modules are built against
#     usr/src/linux-source-6.1.tar.xz   the source they are built from
#     usr/src/kit-kvm-src/       headers + arch/x86/kvm + virt/ from the source, patched
#     usr/src/kit-kvm-obj/       the amd64 headers (.config, Module.symvers) as the object tree
#   build/lab-d/modules/   the patched kvm.ko, kvm-amd.ko, kvm-intel.ko
#   build/lab-d/vm/        the initramfs and the serial console log of the last run

set -euo pipefail

LAB_D_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KIT_TOP=$(cd "$LAB_D_SCRIPTS/../.." && pwd)
LAB_D_BUILD=${LAB_D_BUILD:-$KIT_TOP/build/lab-d}
LAB_D_DEBS=${LAB_D_DEBS:-$LAB_D_BUILD/debs}
LAB_D_ROOT=$LAB_D_BUILD/root
LAB_D_MODULES=$LAB_D_BUILD/modules
LAB_D_VM=$LAB_D_BUILD/vm
LAB_D_PATCH=${LAB_D_PATCH:-$LAB_D_SCRIPTS/kvm-6.1.patch}
LAB_D_JOBS=${LAB_D_JOBS:-2}
SOURCE_PACKAGE=linux-source-6.1

# Where kbuild builds the modules (the folder holding kit-kvm-src and
# kit-kvm-obj). Make cannot quote: a blank (or ':', '#', '$') in a path splits
# it, and kbuild takes its folders from the physical working directory (so a
# symlink to the trees does not help). When the kit's own path has one, the
# trees live in TOP/usr/src of a folder TOP under /tmp named after this build
# folder instead (LAB_D_KBUILD=TOP picks another), whose usr/lib links to the
# unpacked kbuild (the headers' scripts/ and tools/ point to ../../lib/...).
kbuild_dir() {
	local safe=$LAB_D_ROOT/usr/src dir
	if [[ -n "${LAB_D_KBUILD:-}" ]]; then
		dir=$LAB_D_KBUILD/usr/src
	elif [[ "$safe" != *[[:space:]:#\$]* ]]; then
		dir=$safe
	else
		dir=/tmp/lab-d-kbuild-$(id -u)-$(printf '%s' "$LAB_D_BUILD" | sha256sum | cut -c1-12)/usr/src
	fi
	[[ "$dir" != *[[:space:]:#\$]* ]] ||
		fail $EXIT_FAIL "kbuild cannot build in '$dir' (a blank, ':', '#' or '\$' in the path):" \
			"set LAB_D_KBUILD to a folder without them"
	echo "$dir"
}

# The name every message starts with: the make target the user typed
# (each script exports its own before sourcing this file).
LAB_D_STEP=${LAB_D_STEP:-lab-d}

say() { printf '%s: %s\n' "$LAB_D_STEP" "$*"; }
warn() { printf '%s: %s\n' "$LAB_D_STEP" "$*" >&2; }
# fail CODE MESSAGE...: one clear line (plus any hint lines) and exit CODE.
fail() {
	local code=$1
	shift
	local line
	for line in "$@"; do
		printf '%s: %s\n' "$LAB_D_STEP" "$line" >&2
	done
	exit "$code"
}
EXIT_FAIL=1
EXIT_SKIP=77

need_tools() {
	local missing=() pair tool pkg
	for pair in "$@"; do
		tool=${pair%%:*} pkg=${pair#*:}
		command -v "$tool" >/dev/null 2>&1 || missing+=("$pkg")
	done
	[[ ${#missing[@]} -eq 0 ]] || fail $EXIT_SKIP \
		"missing tools; install them with: apt-get install -y --no-install-recommends ${missing[*]}" \
		"(or 'make lab-d-deps' as root)"
}

# The Debian version of linux-source-6.1 everything is taken from: LAB_D_KVERSION
# if set, else what apt would install, else the version of the debs already fetched.
resolve_version() {
	local v
	if [[ -n "${LAB_D_KVERSION:-}" ]]; then
		echo "$LAB_D_KVERSION"
		return
	fi
	v=$(apt-cache policy "$SOURCE_PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: *//p' || true)
	if [[ -n "$v" && "$v" != "(none)" ]]; then
		echo "$v"
		return
	fi
	v=$(cached_source_version)
	[[ -n "$v" ]] && { echo "$v"; return; }
	fail $EXIT_SKIP "apt knows no $SOURCE_PACKAGE and none was fetched before;" \
		"run 'apt-get update' (Debian 12's main or security archive provides it)"
}

cached_source_version() {
	local deb
	for deb in "$LAB_D_DEBS/${SOURCE_PACKAGE}"_*_all.deb; do
		if [[ -e "$deb" ]]; then
			dpkg-deb -f "$deb" Version
		fi
	done | sort -V | tail -n 1
}

# The kernel ABI name (6.1.0-N) built from that version, e.g. 6.1.0-56.
resolve_abi() {
	local version=$1 pkg abi
	# Offline: the headers we fetched before say it.
	for pkg in "$LAB_D_DEBS"/linux-headers-6.1.0-*-amd64_"${version}"_amd64.deb; do
		if [[ -e "$pkg" ]]; then
			abi=${pkg##*/linux-headers-}
			echo "${abi%%-amd64_*}"
			return
		fi
	done
	# Otherwise ask the local apt cache which headers package has exactly this version.
	for pkg in $(apt-cache pkgnames linux-headers-6.1.0- 2>/dev/null |
			grep -E '^linux-headers-6\.1\.0-[0-9]+-amd64$' | sort -V -r || true); do
		if apt-cache show "$pkg=$version" >/dev/null 2>&1; then
			abi=${pkg#linux-headers-}
			echo "${abi%-amd64}"
			return
		fi
	done
	fail $EXIT_SKIP "apt has no linux-headers-6.1.0-*-amd64 of version $version;" \
		"run 'apt-get update', or pick another version with LAB_D_KVERSION=..."
}

# The packages of one kernel build that lab-d needs, all of the same version:
# a module only loads into the kernel whose headers (Module.symvers, .config)
# it was built against, so image, headers and source must match exactly.
kernel_packages() {
	local abi=$1
	echo "$SOURCE_PACKAGE"
	echo "linux-image-$abi-amd64-unsigned"
	echo "linux-headers-$abi-amd64"
	echo "linux-headers-$abi-common"
	echo "linux-kbuild-6.1"
}

# Read a field (vermagic, depends, name) from a module's .modinfo section.
modinfo_field() {
	local module=$1 field=$2
	objcopy -O binary --only-section=.modinfo "$module" /dev/stdout 2>/dev/null |
		tr '\0' '\n' | sed -n "s/^$field=//p" | head -n 1
}

# The state recorded by fetch.sh: VERSION and ABI of the unpacked packages.
load_state() {
	[[ -r "$LAB_D_ROOT/.lab-d-state" ]] || fail $EXIT_FAIL \
		"no unpacked kernel packages in $LAB_D_ROOT; run 'make lab-d-modules' first"
	# shellcheck source=/dev/null
	source "$LAB_D_ROOT/.lab-d-state"
	KVERSION=${KVERSION:?} KABI=${KABI:?}
	KRELEASE=$KABI-amd64
	HEADERS_COMMON=$LAB_D_ROOT/usr/src/linux-headers-$KABI-common
	HEADERS_ARCH=$LAB_D_ROOT/usr/src/linux-headers-$KABI-amd64
	STOCK_MODULES=$LAB_D_ROOT/lib/modules/$KRELEASE/kernel
	VMLINUZ=$LAB_D_ROOT/boot/vmlinuz-$KRELEASE
}
