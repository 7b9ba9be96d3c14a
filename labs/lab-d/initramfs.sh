#!/usr/bin/env bash
# Pack the initramfs that lab-d-vm boots: busybox (static), /init, the static
# lab-d host with its guest built in, the stock kvm.ko/kvm-amd.ko of the
# Debian image, the patched ones, and the modules both depend on.
# Usage: initramfs.sh LAB_D_STATIC_BINARY; writes build/lab-d/vm/initramfs.cpio.gz.
export LAB_D_STEP=${LAB_D_STEP:-lab-d-vm}
source "$(dirname "$0")/lib.sh"

LAB_D_BIN=${1:?usage: initramfs.sh LAB_D_STATIC_BINARY}
BUSYBOX=${LAB_D_BUSYBOX:-/bin/busybox}
STAGE=$LAB_D_VM/initramfs
OUT=$LAB_D_VM/initramfs.cpio.gz

load_state
need_tools gzip:gzip readelf:binutils

is_static() { ! readelf -lW "$1" 2>/dev/null | grep -q INTERP; }
if ! [[ -x "$BUSYBOX" ]] || ! is_static "$BUSYBOX"; then
	fail $EXIT_SKIP "$BUSYBOX is not a static busybox; install it with: apt-get install -y busybox-static"
fi
if ! [[ -x "$LAB_D_BIN" ]] || ! is_static "$LAB_D_BIN"; then
	fail $EXIT_FAIL "$LAB_D_BIN is not a static executable (make builds it for lab-d-vm)"
fi
for m in kvm kvm-amd; do
	[[ -e "$LAB_D_MODULES/$m.ko" ]] || fail $EXIT_FAIL "no patched $m.ko; run 'make lab-d-modules'"
done

# Modules are named by their .modinfo name (dashes become underscores).
declare -A module_file=()
while IFS= read -r f; do
	name=${f##*/}
	name=${name%.ko}
	module_file[${name//-/_}]=$f
done < <(find "$STOCK_MODULES" -name '*.ko')

# Depth first over .modinfo "depends=": dependencies come before their users.
declare -A visited=()
load_order=()
visit() {
	local name=${1//-/_} dep
	[[ -z "${visited[$name]:-}" ]] || return 0
	visited[$name]=1
	[[ -n "${module_file[$name]:-}" ]] || fail $EXIT_FAIL "module $name (a dependency of KVM) is not in the image"
	for dep in $(modinfo_field "${module_file[$name]}" depends | tr ',' ' '); do
		visit "$dep"
	done
	load_order+=("$name")
}
for ko in "$LAB_D_MODULES/kvm-amd.ko" "$LAB_D_MODULES/kvm.ko" \
	"$STOCK_MODULES/arch/x86/kvm/kvm-amd.ko" "$STOCK_MODULES/arch/x86/kvm/kvm.ko"; do
	for dep in $(modinfo_field "$ko" depends | tr ',' ' '); do
		[[ "$dep" == kvm ]] || visit "$dep"
	done
done

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,modules/deps,modules/stock,modules/patched}
cp "$BUSYBOX" "$STAGE/bin/busybox"
cp "$LAB_D_SCRIPTS/init" "$STAGE/init"
chmod 755 "$STAGE/init"
cp "$LAB_D_BIN" "$STAGE/lab-d"
for name in "${load_order[@]}"; do
	cp "${module_file[$name]}" "$STAGE/modules/deps/$name.ko"
done
printf '%s\n' "${load_order[@]}" >"$STAGE/modules/deps.order"
cp "$STOCK_MODULES/arch/x86/kvm/kvm.ko" "$STOCK_MODULES/arch/x86/kvm/kvm-amd.ko" "$STAGE/modules/stock/"
cp "$LAB_D_MODULES/kvm.ko" "$LAB_D_MODULES/kvm-amd.ko" "$STAGE/modules/patched/"

(cd "$STAGE" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip -1 >"$OUT"
say "initramfs: busybox, lab-d, kvm.ko + kvm-amd.ko (stock and patched), dependencies: ${load_order[*]}" \
	"($(du -h "$OUT" | cut -f1))"
