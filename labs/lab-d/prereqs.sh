#!/usr/bin/env bash
# Can lab-d-modules and lab-d-vm run here? Exit 0 yes; 77 no, with the reason
# and the command that fixes it in one line (the grader shows 77 as SKIP, for
# the check lab-d.vm that needs the network): tools missing, apt knowing no
# kernel source, or, offline, Debian's mirror not reachable while the packages
# were not fetched before (LAB_D_DEBS=DIR names a folder that holds them).
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
# Offline: the packages not fetched yet must come from a mirror that answers.
# Every address apt would download from (or its proxy) gets a TCP connection
# within 5 s; a file: mirror must be readable.
reachable() { # URI
	local uri=$1 scheme rest hostport host port proxy
	scheme=${uri%%:*}
	if [[ "$scheme" == file ]]; then
		rest=${uri#file:}
		[[ -r "/${rest#"${rest%%[!/]*}"}" ]]
		return
	fi
	proxy=$(apt-config shell p "Acquire::$scheme::Proxy" 2>/dev/null | sed -n "s/^p='\(.*\)'$/\1/p")
	[[ -z "$proxy" || "$proxy" == DIRECT ]] && proxy=$(eval "echo \${${scheme}_proxy:-}")
	[[ -n "$proxy" ]] && uri=$proxy
	hostport=${uri#*://}
	hostport=${hostport%%/*}
	hostport=${hostport##*@}
	host=${hostport%:*}
	port=${hostport##*:}
	[[ "$host" == "$hostport" ]] && port=$([[ "$scheme" == https ]] && echo 443 || echo 80)
	timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
}

version=$(resolve_version)
abi=$(resolve_abi "$version")
wanted=()
for pkg in $(kernel_packages "$abi"); do
	found=no
	for f in "$LAB_D_DEBS/${pkg}_${version}_"*.deb; do
		[[ -e "$f" ]] && found=yes
	done
	[[ $found == yes ]] || wanted+=("$pkg=$version")
done
if [[ ${#wanted[@]} -gt 0 ]]; then
	mapfile -t uris < <(apt-get download --print-uris "${wanted[@]}" 2>/dev/null | sed -n "s/^'\([^']*\)'.*/\1/p")
	[[ ${#uris[@]} -gt 0 ]] || fail $EXIT_SKIP \
		"SKIP: apt gives no download address for ${wanted[*]}; run 'apt-get update'"
	for uri in "${uris[@]}"; do
		if ! reachable "$uri"; then
			where=${uri#*://}
			fail $EXIT_SKIP "SKIP: Debian's package mirror (${where%%/*}) cannot be reached (offline?) and the kernel packages were never fetched into ${LAB_D_DEBS#"$KIT_TOP"/}: go online, or set LAB_D_DEBS=DIR to a folder that holds them"
		fi
	done
fi
[[ "${1:-}" == "--install" ]] && say "everything lab-d-modules and lab-d-vm need is here"
exit 0
