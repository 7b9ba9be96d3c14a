#!/usr/bin/env bash
# make bench-lab-c: `lab-c cp` of a 64 MiB file through the guest against
# `dd bs=CHUNK` of the same file on the host, for chunks of 4K, 64K and 1M.
#
# Per chunk size, ROUNDS rounds; each round times both commands back to back
# (which one goes first alternates), each copying into a fresh file after a
# sync, so neither pays for the other's writeback. Whole commands are timed,
# process start included, as a user would see them. Reported: the median
# time of each and its throughput, and the ratio kit/dd of throughputs
# (>= 0.8 is the target at 1M) as the median of the rounds' own ratios: the
# two runs of a round share the machine's load of the moment, so the ratio
# holds where absolute times drift. Every kit copy is checked with cmp.
#
# The files live on a tmpfs (/dev/shm) when there is room: the figure is the
# hypervisor's path, and disk writeback would only add noise to both sides.
# BENCH_DIR=DIR puts them elsewhere.
#
# Usage: bench/lab-c.sh [LAB_C_BINARY]   (ROUNDS=N to change the rounds, default 7)
set -euo pipefail

lab_c=$(realpath "${1:-./lab-c}")
rounds=${ROUNDS:-7}
size_mib=64
chunks=(4K 64K 1M)

[[ -x "$lab_c" ]] || { echo "bench-lab-c: $lab_c is not built (make lab-c)" >&2; exit 1; }
# A tmpfs with room for the source and two copies, or $TMPDIR.
pick_base() {
	if [[ -n "${BENCH_DIR:-}" ]]; then
		echo "$BENCH_DIR"
	elif [[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs &&
		$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') -gt $((4 * size_mib * 1024)) ]]; then
		echo /dev/shm
	else
		echo "${TMPDIR:-/tmp}"
	fi
}
dir=$(mktemp -d "$(pick_base)/bench-lab-c.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
head -c $((size_mib << 20)) /dev/urandom >src

# Seconds taken by one command (its output discarded); exits 1 if it fails.
time_of() {
	local start end
	start=$EPOCHREALTIME
	"$@" >/dev/null 2>"$dir/err" || { echo "bench-lab-c: failed: $*" >&2; cat "$dir/err" >&2; exit 1; }
	end=$EPOCHREALTIME
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f\n", e - s }'
}

kit_copy() { "$lab_c" --mem 4M --chunk "$1" cp src kit.out; }
dd_copy() { dd if=src of=dd.out bs="$1" status=none; }

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Warm the page cache and the binaries once; no KVM here is a skip, not a failure.
status=0
kit_copy 1M >/dev/null 2>"$dir/err" || status=$?
if ((status == 77)); then
	echo "bench-lab-c: SKIP: $(cat "$dir/err")"
	exit 0
elif ((status != 0)); then
	echo "bench-lab-c: lab-c cp failed:" >&2
	cat "$dir/err" >&2
	exit 1
fi
dd_copy 1M
cmp -s src kit.out || { echo "bench-lab-c: the kit's copy differs from the source" >&2; exit 1; }

echo "bench-lab-c: $size_mib MiB copies in $dir ($(stat -f -c %T "$dir")), $rounds rounds per chunk size"
printf '%-6s | %12s %10s | %12s %10s | %s\n' chunk "lab-c cp ms" "MB/s" "dd ms" "MB/s" \
	"ratio kit/dd (throughput)"
for chunk in "${chunks[@]}"; do
	kit_times=() dd_times=()
	for ((r = 0; r < rounds; r++)); do
		for who in $( ((r % 2)) && echo "dd kit" || echo "kit dd"); do
			rm -f kit.out dd.out
			sync
			if [[ $who == kit ]]; then
				kit_times+=("$(time_of kit_copy "$chunk")")
				cmp -s src kit.out || { echo "bench-lab-c: copy with chunk $chunk differs" >&2; exit 1; }
			else
				dd_times+=("$(time_of dd_copy "$chunk")")
			fi
		done
	done
	kit=$(printf '%s\n' "${kit_times[@]}" | median)
	dd=$(printf '%s\n' "${dd_times[@]}" | median)
	ratio=$(for ((r = 0; r < rounds; r++)); do
		awk -v k="${kit_times[r]}" -v d="${dd_times[r]}" 'BEGIN { print d / k }'
	done | median)
	awk -v c="$chunk" -v k="$kit" -v d="$dd" -v q="$ratio" -v mib="$size_mib" 'BEGIN {
		bytes = mib * 1048576
		printf "%-6s | %12.1f %10.0f | %12.1f %10.0f | %.2f\n", c, k * 1000, bytes / k / 1e6,
		       d * 1000, bytes / d / 1e6, q
	}'
	ratios+=("$chunk $(awk -v q="$ratio" 'BEGIN { printf "%.2f", q }')")
done
echo "(medians of $rounds rounds; ratio: median of each round's dd time / lab-c time;"
echo " $size_mib MiB per copy; MB = 10^6 bytes)"
for line in "${ratios[@]}"; do
	set -- $line
	echo "BENCH lab-c.cp.$1.ratio_vs_dd $2 x"
done
