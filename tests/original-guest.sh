#!/usr/bin/env bash
# kvm-hello-world's own guest runs on every KVM lab that takes --guest:
# build labs/lab-a/guest.c exactly as the original's Makefile builds
# guest64.img (compiler flags, ld with a binary-output script), then run
# it on lab-a, lab-b, lab-c and lab-e (both vCPUs). Each must exit 0.
# Usage: tests/original-guest.sh [PROGRAM_DIR]   (exit 77: no KVM here)
set -u
cd "$(dirname "$0")/.."
bin=${1:-.}
cc=gcc # the original is built with the system compiler, cc = gcc on Debian
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

$cc -Wall -Wextra -Werror -O2 -shared -m64 -ffreestanding -fno-pic -c \
	-o "$work/guest64.o" labs/lab-a/guest.c || exit 1
ld -T tests/original/guest.ld "$work/guest64.o" -o "$work/guest64.img" || exit 1

status=0
for lab in lab-a lab-b lab-c lab-e; do
	args=(--guest "$work/guest64.img")
	[[ $lab == lab-c ]] && args+=(--root "$work" --in guest64.img --out out)
	out=$(cd "$work" && timeout 30 "$OLDPWD/$bin/$lab" "${args[@]}" 2>&1)
	rc=$?
	[[ $rc -eq 77 ]] && { echo "original-guest: SKIP: $lab says: ${out##*$'\n'}"; exit 77; }
	hellos=$(grep -cE '^(\[vcpu[0-9] +\+[0-9.]+ ms\] )?Hello, world!$' <<<"$out")
	want=1
	[[ $lab == lab-e ]] && want=2
	if [[ $rc -ne 0 || $hellos -ne $want ]]; then
		echo "original-guest: FAIL: $lab --guest guest64.img exited $rc with $hellos greeting(s), expected 0 and $want:" >&2
		sed 's/^/    /' <<<"$out" >&2
		status=1
	fi
done
size=$(stat -c %s "$work/guest64.img")
[[ $status -eq 0 ]] && echo "original-guest: kvm-hello-world's guest ($size bytes, built as its Makefile does) runs on lab-a, lab-b, lab-c and lab-e"
exit $status
