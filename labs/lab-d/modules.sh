#!/usr/bin/env bash
# Build the patched KVM modules (kvm.ko, kvm-amd.ko, kvm-intel.ko) out of
# tree: only arch/x86/kvm and virt/ of Debian's linux-source-6.1, with
# labs/lab-d/kvm-6.1.patch applied, compiled against the linux-headers and
# linux-kbuild packages of the very same version. Not the whole kernel, and
# nothing installed: the results land in build/lab-d/modules/.
#
# Exit status: 0 built, 1 failed (the patch does not apply, the build broke),
# 77 cannot be done here (tools or packages missing).
export LAB_D_STEP=${LAB_D_STEP:-lab-d-modules}
source "$(dirname "$0")/lib.sh"

need_tools make:make gcc-12:gcc-12 objcopy:binutils patch:patch tar:tar xz:xz-utils
"$LAB_D_SCRIPTS/fetch.sh"
load_state

KBUILD=$(kbuild_dir)                  # a path without blanks (see lib.sh)
SRC=$KBUILD/kit-kvm-src               # the source tree: headers + KVM's sources
OBJ=$KBUILD/kit-kvm-obj               # the object tree: .config, Module.symvers, generated headers
KVM_DIR=$SRC/arch/x86/kvm
LOG=$LAB_D_BUILD/modules.log
STAMP="$KVERSION $(sha256sum "$LAB_D_PATCH" | cut -d' ' -f1)"

# The trees are built once per (version, patch): hard-linked copies of the
# unpacked headers (cheap, and kbuild never writes into them), KVM's sources
# from the source tarball, then the patch.
# A copy made of hard links where it can be (the same file system), else a plain one.
copy_tree() {
	cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2" && cp -a "$1" "$2"; }
}

prepare_trees() {
	say "preparing the source tree: headers $KVERSION + arch/x86/kvm and virt/ from $SOURCE_PACKAGE"
	[[ "$KBUILD" == "$LAB_D_ROOT/usr/src" ]] ||
		say "the kit's path has a character kbuild cannot take: building in $KBUILD"
	rm -rf "$SRC" "$OBJ"
	mkdir -p "$KBUILD"
	[[ "$KBUILD" == "$LAB_D_ROOT/usr/src" ]] || ln -sfn "$LAB_D_ROOT/usr/lib" "${KBUILD%/src}/lib"
	copy_tree "$HEADERS_COMMON" "$SRC"
	tar -xJf "$LAB_D_ROOT/usr/src/linux-source-6.1.tar.xz" -C "$SRC" --strip-components=1 \
		linux-source-6.1/arch/x86/kvm linux-source-6.1/virt
	say "applying ${LAB_D_PATCH#"$KIT_TOP"/}"
	# --fuzz=0: every context line must match. With fuzz, patch(1) may place a
	# hunk in the wrong switch statement of this 13,000-line file.
	if ! patch -d "$SRC" -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch \
		<"$LAB_D_PATCH" >"$LOG" 2>&1; then
		cat "$LOG" >&2
		fail $EXIT_FAIL "the patch does not apply to Debian's $SOURCE_PACKAGE $KVERSION (see above)"
	fi
	# The amd64 headers are the object tree; their Makefile names the common
	# headers by their installed path, /usr/src/..., so point it at ours.
	copy_tree "$HEADERS_ARCH" "$OBJ"
	rm "$OBJ/Makefile"
	echo "include $SRC/Makefile" >"$OBJ/Makefile"
	echo "$STAMP" >"$SRC/.lab-d-stamp"
}

build() {
	rm -rf "$LAB_D_MODULES" # never leave modules of an earlier build behind a failed one
	say "building kvm.ko, kvm-amd.ko and kvm-intel.ko for $KRELEASE with gcc-12 (-j$LAB_D_JOBS; log: ${LOG#"$KIT_TOP"/})"
	if ! make -C "$OBJ" M="$KVM_DIR" -j"$LAB_D_JOBS" modules >>"$LOG" 2>&1; then
		grep -E 'error|Error|warning' "$LOG" | head -n 20 >&2 || tail -n 20 "$LOG" >&2
		fail $EXIT_FAIL "the module build failed (full log: ${LOG#"$KIT_TOP"/})"
	fi
}

# A module loads only into the kernel it was built for: the vermagic must be
# the stock kvm.ko's, and modversions must have recorded symbol CRCs.
check_abi() {
	local ours stock
	stock=$(modinfo_field "$STOCK_MODULES/arch/x86/kvm/kvm.ko" vermagic)
	for m in kvm kvm-amd kvm-intel; do
		[[ -e "$KVM_DIR/$m.ko" ]] || fail $EXIT_FAIL "the build made no $m.ko (log: ${LOG#"$KIT_TOP"/})"
		ours=$(modinfo_field "$KVM_DIR/$m.ko" vermagic)
		[[ "$ours" == "$stock" ]] || fail $EXIT_FAIL \
			"$m.ko has vermagic '$ours' but the kernel's modules have '$stock':" \
			"the headers and the image are not the same Debian build"
	done
}

if [[ ! -e "$SRC/.lab-d-stamp" || "$(cat "$SRC/.lab-d-stamp")" != "$STAMP" ]]; then
	prepare_trees
else
	say "source tree up to date (Debian $KVERSION, same patch)"
	: >"$LOG"
fi
build
check_abi
# Without their debug information, as Debian ships its own (INSTALL_MOD_STRIP=1).
mkdir -p "$LAB_D_MODULES"
for m in kvm kvm-amd kvm-intel; do
	objcopy --strip-debug "$KVM_DIR/$m.ko" "$LAB_D_MODULES/$m.ko"
done
echo "$KRELEASE" >"$LAB_D_MODULES/release"
say "built for $KRELEASE (vermagic '$(modinfo_field "$LAB_D_MODULES/kvm.ko" vermagic)'):"
for m in kvm kvm-amd kvm-intel; do
	printf '  %s\n' "${LAB_D_MODULES#"$KIT_TOP"/}/$m.ko"
done
