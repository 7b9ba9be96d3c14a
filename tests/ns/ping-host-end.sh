#!/bin/sh
# Run inside an isolate container (veth mode): ping the host end of our own
# pair and print our address. The host end is the other address of our /30,
# i.e. ours minus one (common/ns/ns_net.h). Used by the concurrency test and the
# grader, where several containers run at once and cannot all be .13/.14.
# Usage: ping-host-end.sh [SECONDS | --until FILE]
#   SECONDS       stay that long afterwards (the grader: containers started
#                 together are then most likely alive together);
#   --until FILE  stay until FILE exists (the tests: whoever started the
#                 containers says when all of them have been seen at once;
#                 given up after 120 s, should nobody ever say so).
set -eu
# "2: peer0    inet 10.11.12.14/30 brd ... scope global peer0 ..."
hold=${1:-0} until=${2:-}
set -- $(ip -4 -o addr show dev peer0)
ours=${4%/*}
host=${ours%.*}.$((${ours##*.} - 1))
ping -c 1 -W 2 "$host" >/dev/null
echo "$ours"
if [ "$hold" = --until ]; then
	i=0
	while [ ! -e "$until" ] && [ $i -lt 2400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
else
	sleep "$hold"
fi
