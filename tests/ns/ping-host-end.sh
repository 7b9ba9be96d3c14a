#!/bin/sh
# Run inside an isolate container (veth mode): ping the host end of our own
# pair and print our address. The host end is the other address of our /30,
# i.e. ours minus one (common/ns/ns_net.h). Used by the concurrency test and the
# grader, where several containers run at once and cannot all be .13/.14.
# Usage: ping-host-end.sh [SECONDS]: stay that long afterwards, so that
# containers started together are alive together.
set -eu
hold=${1:-0}
# "2: peer0    inet 10.11.12.14/30 brd ... scope global peer0 ..."
set -- $(ip -4 -o addr show dev peer0)
ours=${4%/*}
host=${ours%.*}.$((${ours##*.} - 1))
ping -c 1 -W 2 "$host" >/dev/null
echo "$ours"
sleep "$hold"
