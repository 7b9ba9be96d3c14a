#!/usr/bin/env bash
# lab-d-vm: the end-to-end proof of the in-kernel hypercalls.
#
# Boots the Debian 6.1 kernel fetched by lab-d-modules under
# qemu-system-x86_64 -accel tcg -cpu EPYC: TCG emulates an AMD CPU with SVM
# and nested paging (it cannot emulate Intel's VMX), so kvm-amd loads inside
# and the lab-d guest runs nested, its VMMCALLs handled by the KVM in the
# QEMU guest. The initramfs's /init (labs/lab-d/init) runs lab-d twice: on
# the stock modules (expect -KVM_ENOSYS, exit 77) and on the patched ones
# (expect exit 0 and the guest's string in the kernel log). This script
# reads the serial console back and checks each of those.
#
# Usage: vm.sh [LAB_D_STATIC_BINARY]   (make lab-d-vm passes build/lab-d/lab-d-static)
# LAB_D_VM_TIMEOUT=SECONDS bounds the QEMU run (default 300).
export LAB_D_STEP=${LAB_D_STEP:-lab-d-vm}
source "$(dirname "$0")/lib.sh"

LAB_D_BIN=${1:-$LAB_D_BUILD/lab-d-static}
VM_TIMEOUT=${LAB_D_VM_TIMEOUT:-300}
SERIAL_LOG=$LAB_D_VM/serial.log
QEMU_LOG=$LAB_D_VM/qemu.log
GREETING=$(sed -n 's/^#define LAB_D_GREETING "\(.*\)"$/\1/p' "$LAB_D_SCRIPTS/kit_hypercall.h")
[[ -n "$GREETING" ]] || fail $EXIT_FAIL "no LAB_D_GREETING in labs/lab-d/kit_hypercall.h"

need_tools qemu-system-x86_64:qemu-system-x86 timeout:coreutils
load_state
[[ -e "$VMLINUZ" ]] || fail $EXIT_FAIL "no $VMLINUZ; run 'make lab-d-modules'"
mkdir -p "$LAB_D_VM"
"$LAB_D_SCRIPTS/initramfs.sh" "$LAB_D_BIN"

started=$SECONDS
say "booting Debian $KRELEASE under qemu-system-x86_64 -accel tcg -cpu EPYC (at most $VM_TIMEOUT s);"
say "serial console (also in ${SERIAL_LOG#"$KIT_TOP"/}):"
set +e
timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 \
	-accel tcg -cpu EPYC -smp 1 -m 512M \
	-nodefaults -display none -no-reboot -monitor none -serial stdio \
	-kernel "$VMLINUZ" -initrd "$LAB_D_VM/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 quiet" \
	</dev/null 2>"$QEMU_LOG" | tr -d '\r' | tee "$SERIAL_LOG" | sed 's/^/  | /'
qemu_status=${PIPESTATUS[0]}
set -e
elapsed=$((SECONDS - started))

# The lines /init printed between "LABEL: kvm modules loaded" and "LABEL: lab-d exit status".
section() {
	sed -n "/^lab-d-vm: $1: kvm modules loaded/,/^lab-d-vm: $1: lab-d exit status/p" "$SERIAL_LOG"
}

failures=0
check() { # DESCRIPTION HINT CONDITION...
	local what=$1 hint=$2
	shift 2
	if "$@"; then
		say "PASS $what"
	else
		say "FAIL $what"
		say "     $hint"
		failures=$((failures + 1))
	fi
}
has() { grep -qE -- "$1"; }

if [[ $qemu_status -eq 124 || $qemu_status -eq 137 ]]; then
	fail $EXIT_FAIL "the VM did not finish within $VM_TIMEOUT s (QEMU's messages: ${QEMU_LOG#"$KIT_TOP"/})"
fi
if ! grep -q '^lab-d-vm: done' "$SERIAL_LOG"; then
	tail -n 20 "$QEMU_LOG" >&2 || true
	fail $EXIT_FAIL "the VM stopped before /init finished (QEMU status $qemu_status; see the console above" \
		"and ${QEMU_LOG#"$KIT_TOP"/})"
fi

check "kvm-amd loads in the VM (TCG emulates SVM)" \
	"the emulated CPU has no SVM, or insmod failed: see the console above" \
	grep -q '^lab-d-vm: stock: kvm modules loaded, /dev/kvm present' "$SERIAL_LOG"
check "stock kvm.ko: the probe answers -1000 (-KVM_ENOSYS), lab-d exits 77" \
	"an unpatched KVM must not know the kit's hypercalls" \
	eval 'section stock | has "answered the probe with -1000" &&
	      section stock | has "^lab-d-vm: stock: lab-d exit status 77$"'
check "patched kvm.ko: probe, exits, print and both errors answered by the kernel, lab-d exits 0" \
	"the patched module did not answer as labs/lab-d/kit_hypercall.h says" \
	eval 'section patched | has "^guest: probe answered 0x4b564d21" &&
	      section patched | has "^lab-d: OK: " &&
	      section patched | has "^lab-d-vm: patched: lab-d exit status 0$"'
check "kernel log: \"kvm_kit: vcpu 0: $GREETING\"" \
	"the print hypercall's string is not in dmesg" \
	grep -qF "lab-d-vm: dmesg: kvm_kit: vcpu 0: $GREETING" "$SERIAL_LOG"

if [[ $failures -ne 0 ]]; then
	fail $EXIT_FAIL "$failures check(s) failed after ${elapsed} s in the VM (console: ${SERIAL_LOG#"$KIT_TOP"/})"
fi
say "OK: the kit's hypercalls run inside KVM (Debian $KVERSION, ${elapsed} s in the VM)"
