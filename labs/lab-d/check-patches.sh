#!/usr/bin/env bash
# The kernel cannot include labs/lab-d/kit_hypercall.h, so the two patches
# spell out the same numbers themselves. Check that they agree with it, and
# that the 5.4 patch adds exactly the 6.1 patch's code (only the context differs).
export LAB_D_STEP=${LAB_D_STEP:-lab-d}
source "$(dirname "$0")/lib.sh"

HEADER=$LAB_D_SCRIPTS/kit_hypercall.h
PATCHES=("$LAB_D_SCRIPTS/kvm-6.1.patch" "$LAB_D_SCRIPTS/kvm-5.4.patch")
NAMES=(KIT_HC_BASE KIT_HC_PROBE KIT_HC_EXITS KIT_HC_PRINT KIT_HC_MAGIC KIT_HC_PRINT_MAX)

# The value of #define NAME in the header (C suffixes like 'u' dropped).
header_value() {
	sed -n "s/^#define $1[[:space:]]\{1,\}\([^[:space:]]*\([[:space:]]*+[[:space:]]*[0-9]*)\)\{0,1\}\).*/\1/p" "$HEADER" |
		tr -d 'u ' | head -n 1
}
# The same in a patch's added lines.
patch_value() {
	sed -n "s/^+#define $2[[:space:]]\{1,\}\([^[:space:]]*\([[:space:]]*+[[:space:]]*[0-9]*)\)\{0,1\}\).*/\1/p" "$1" |
		tr -d ' ' | head -n 1
}

bad=0
for name in "${NAMES[@]}"; do
	want=$(header_value "$name")
	[[ -n "$want" ]] || fail $EXIT_FAIL "$name is not defined in ${HEADER#"$KIT_TOP"/}"
	for p in "${PATCHES[@]}"; do
		got=$(patch_value "$p" "$name")
		if [[ "$got" != "$want" ]]; then
			warn "${p#"$KIT_TOP"/}: $name is '${got:-undefined}', ${HEADER##*/} says '$want'"
			bad=1
		fi
	done
done
if ! diff <(grep '^+[^+]' "${PATCHES[0]}") <(grep '^+[^+]' "${PATCHES[1]}") >/dev/null; then
	warn "kvm-6.1.patch and kvm-5.4.patch add different code"
	bad=1
fi
[[ $bad -eq 0 ]] || fail $EXIT_FAIL "the kernel patches disagree with the kit's hypercall ABI"
say "kvm-6.1.patch and kvm-5.4.patch agree with kit_hypercall.h:" \
	"base $(header_value KIT_HC_BASE), magic $(header_value KIT_HC_MAGIC), print max $(header_value KIT_HC_PRINT_MAX)"
