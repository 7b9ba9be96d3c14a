#!/usr/bin/env bash
# make bench-lab-c: copies of a 64 MiB file through the guest against `dd`
# of the same file on the host, for chunks of 4K, 64K and 1M:
#   dd      dd bs=CHUNK (the baseline)
#   kit     lab-c cp: one exit per file call (c.1-c.4)
#   queue   lab-c --queue cp: the requests in a queue, one exit per batch of
#           64 (and, at 4K, batches of 2, 8 and 256 too)
#
# Per chunk size, ROUNDS rounds; each round times every command back to back
# (the order rotates from round to round), each copying into a fresh file
# after a sync, so none pays for another's writeback. Whole commands are
# timed, process start and VM creation included, as a user would see them.
# Reported: the median time of each and its throughput, and the ratio
# dd/kit of times (kit/dd of throughputs) as the median of the rounds' own
# ratios: the commands of a round share the machine's load of the moment,
# so the ratio holds where absolute times drift. Also the CPU time each
# took (user + system, the guest's included: bash's `time`), and its ratio
# the same way: what the copy costs, without the time spent waiting for a
# CPU or for the kernel's own threads. Every copy is checked with cmp. Exits per request come from the copies themselves: the queue's
# summary line, and for the one-exit calls a --trace run counting the exits
# and the file calls among them.
#
# The files live on a tmpfs (/dev/shm) when there is room: the figure is the
# hypervisor's path, and disk writeback would only add noise to all sides.
# BENCH_DIR=DIR puts them elsewhere.
#
# Usage: bench/lab-c.sh [LAB_C_BINARY]   (ROUNDS=N to change the rounds, default 7)
set -euo pipefail

lab_c=$(realpath "${1:-./lab-c}")
rounds=${ROUNDS:-7}
size_mib=64
chunks=(4K 64K 1M)
sweep_batches=(2 8 256)   # besides 64, at 4K only
mem=4M

[[ -x "$lab_c" ]] || { echo "bench-lab-c: $lab_c is not built (make lab-c)" >&2; exit 1; }
# A tmpfs with room for the source and a few copies, or $TMPDIR.
pick_base() {
	if [[ -n "${BENCH_DIR:-}" ]]; then
		echo "$BENCH_DIR"
	elif [[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs &&
		$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') -gt $((5 * size_mib * 1024)) ]]; then
		echo /dev/shm
	else
		echo "${TMPDIR:-/tmp}"
	fi
}
dir=$(mktemp -d "$(pick_base)/bench-lab-c.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
head -c $((size_mib << 20)) /dev/urandom >src

# One copy by mode (dd, kit, queue or queueN for a batch of N) with chunk $2,
# into out.MODE; its stdout kept in say.MODE.
copy() {
	local mode=$1 chunk=$2
	case $mode in
	dd) dd if=src of=out.dd bs="$chunk" status=none ;;
	kit) "$lab_c" --mem $mem --chunk "$chunk" cp src out.kit ;;
	queue) "$lab_c" --mem $mem --chunk "$chunk" --queue cp src out.queue ;;
	queue*) "$lab_c" --mem $mem --chunk "$chunk" --queue --batch "${mode#queue}" cp src "out.$mode" ;;
	esac >"say.$mode"
}

# "SECONDS CPU_SECONDS" of one copy; exits 1 if it fails or its copy differs.
time_of() {
	local start end cpu
	rm -f "out.$1"
	sync
	start=$EPOCHREALTIME
	cpu=$( { TIMEFORMAT='%3U %3S'; time copy "$@" 2>"$dir/err"; } 2>&1 ) ||
		{ echo "bench-lab-c: failed: $*" >&2; cat "$dir/err" >&2; exit 1; }
	end=$EPOCHREALTIME
	cmp -s src "out.$1" || { echo "bench-lab-c: the $1 copy with chunk $2 differs" >&2; exit 1; }
	awk -v s="$start" -v e="$end" -v c="$cpu" 'BEGIN { split(c, t, " ");
		printf "%.6f %.3f\n", e - s, t[1] + t[2] }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Warm the page cache and the binaries once; no KVM here is a skip, not a failure.
status=0
copy queue 1M 2>"$dir/err" || status=$?
if ((status == 77)); then
	echo "bench-lab-c: SKIP: $(cat "$dir/err")"
	exit 0
elif ((status != 0)); then
	echo "bench-lab-c: lab-c --queue cp failed:" >&2
	cat "$dir/err" >&2
	exit 1
fi
copy dd 1M

# Exits per request of the one-exit calls: every exit of a --trace run, and the file calls among them.
percall_exits() {
	"$lab_c" --mem $mem --chunk "$1" --trace cp src out.trace 2>&1 >/dev/null |
		awk '/^\[trace\]/ { exits++ } /\((open|openat|read|write|close)\)/ { calls++ }
		     END { printf "%.4f\n", exits / calls }'
	rm -f out.trace
}
# ... and of a queue run, from its summary line ("...; E exits, X per request; ...").
queue_exits() {
	sed -n 's/.* \([0-9.]*\) per request.*/\1/p' "say.$1"
}

echo "bench-lab-c: $size_mib MiB copies in $dir ($(stat -f -c %T "$dir")), $rounds rounds per chunk size, --mem $mem"
printf '%-6s %-8s | %9s %6s %6s | %7s %6s | %s\n' chunk mode "median ms" "MB/s" "vs dd" \
	"cpu ms" "vs dd" "exits per request"
bench=()
for chunk in "${chunks[@]}"; do
	modes=(dd kit queue)
	[[ $chunk == 4K ]] && for b in "${sweep_batches[@]}"; do modes+=("queue$b"); done
	declare -A times=() cpus=()
	for ((r = 0; r < rounds; r++)); do
		n=${#modes[@]}
		for ((i = 0; i < n; i++)); do
			mode=${modes[(i + r) % n]}
			read -r wall cpu <<<"$(time_of "$mode" "$chunk")"
			times[$mode]+="$wall "
			cpus[$mode]+="$cpu "
		done
	done
	for mode in "${modes[@]}"; do
		read -ra t <<<"${times[$mode]}"
		read -ra d <<<"${times[dd]}"
		read -ra tc <<<"${cpus[$mode]}"
		read -ra dc <<<"${cpus[dd]}"
		ms=$(printf '%s\n' "${t[@]}" | median)
		cpu_ms=$(printf '%s\n' "${tc[@]}" | median)
		ratio=$(for ((r = 0; r < rounds; r++)); do
			awk -v k="${t[r]}" -v d="${d[r]}" 'BEGIN { print d / k }'
		done | median)
		cpu_ratio=$(for ((r = 0; r < rounds; r++)); do
			awk -v k="${tc[r]}" -v d="${dc[r]}" 'BEGIN { print (k > 0 ? d / k : 0) }'
		done | median)
		case $mode in
		dd) epr="-" ;;
		kit) epr=$(percall_exits "$chunk") ;;
		*) epr=$(queue_exits "$mode") ;;
		esac
		awk -v c="$chunk" -v m="$mode" -v t="$ms" -v q="$ratio" -v u="$cpu_ms" -v cq="$cpu_ratio" \
			-v e="$epr" -v mib="$size_mib" 'BEGIN {
			printf "%-6s %-8s | %9.1f %6.0f %6.2f | %7.1f %6.2f | %s\n", c, m, t * 1000,
			       mib * 1048576 / t / 1e6, q, u * 1000, cq, e
		}'
		case $mode in
		kit) name=lab-c.cp.$chunk ;;
		queue) name=lab-c.queue.cp.$chunk ;;
		*) name=lab-c.queue.cp.$chunk.batch${mode#queue} ;;
		esac
		[[ $mode != dd ]] &&
			bench+=("$name.ratio_vs_dd $(awk -v q="$ratio" 'BEGIN { printf "%.2f", q }') x"
				"$name.cpu_ratio_vs_dd $(awk -v q="$cpu_ratio" 'BEGIN { printf "%.2f", q }') x")
		[[ $mode == kit ]] && bench+=("lab-c.cp.$chunk.exits_per_request $epr exits")
		[[ $mode == queue && $chunk == 4K ]] &&
			bench+=("lab-c.queue.exits_per_request.batch64 $epr exits")
		[[ $mode == queue?* ]] && bench+=("lab-c.queue.exits_per_request.batch${mode#queue} $epr exits")
	done
	unset times cpus
done
echo "(medians of $rounds rounds; vs dd: median of each round's dd time / its time, so 1 is dd's"
echo " throughput; cpu: user + system time, the guest's included; $size_mib MiB per copy;"
echo " MB = 10^6 bytes; queue = --queue --batch 64, queueN = --batch N)"
for line in "${bench[@]}"; do
	echo "BENCH $line"
done
