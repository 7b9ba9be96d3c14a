#!/bin/sh
# The assignment's sequence of unshare and ip commands ("Containers and
# namespaces", lines 1-55), made non-interactive for bench-isolate: named
# pipes stand in for the person switching between the two terminals, and
# each child shell writes its $$ into one instead of being found with
# ps | grep (lines 9-10, 29-30). The shells stay as the parents of the
# next unshare, as interactive ones would.
#
# Usage: isolate-shell-seq.sh PROGRAM [ARGS...]
# Needs CAP_NET_ADMIN in the current network namespace (root, or a user
# namespace that owns it). Run it in a throwaway one: it adds a veth pair.
# The pair is called veth-PID rather than veth0 so that runs back to back
# do not collide while the kernel still tears the previous one down; like
# isolate, it leaves the pair to die with the container's network namespace.
set -eu
self=$(readlink -f "$0")

case "${1:-}" in
--user-stage) # the child shell after line 3: unshare -U --kill-child /bin/bash
	dir=$2; shift 2
	echo $$ >"$dir/user"    # lines 4, 9-10
	read -r _ <"$dir/mapped" # wait for lines 12-13
	unshare --ipc --uts --kill-child "$self" --uts-stage "$dir" "$@" # line 20
	exit $?
	;;
--uts-stage)
	dir=$2; shift 2
	hostname isolated # line 21
	unshare --net --kill-child "$self" --net-stage "$dir" "$@" # line 26
	exit $?
	;;
--net-stage)
	dir=$2; shift 2
	echo $$ >"$dir/net"    # lines 27, 29-30
	read -r _ <"$dir/veth" # wait for lines 32-36
	ip link set lo up                      # line 43
	ip link set peer0 up                   # line 44
	ip addr add 10.11.12.14/24 dev peer0   # line 45
	unshare --pid --mount --fork --kill-child "$self" --pid-stage "$dir" "$@" # line 53
	exit $?
	;;
--pid-stage)
	dir=$2; shift 2
	mount -t proc proc /proc # line 54
	exec "$@"
	;;
esac

# The parent shell.
[ $# -ge 1 ] || { echo "usage: isolate-shell-seq.sh PROGRAM [ARGS...]" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/user" "$dir/mapped" "$dir/net" "$dir/veth"
unshare -U --kill-child "$self" --user-stage "$dir" "$@" &
top=$!
read -r pid <"$dir/user"
echo "0 $(id -u) 1" >"/proc/$pid/uid_map" # line 12
echo "0 $(id -g) 1" >"/proc/$pid/gid_map" # line 13
echo >"$dir/mapped"
read -r pid <"$dir/net"
veth=veth-$$
ip link add "$veth" type veth peer name peer0 # line 32
ip link set "$veth" up                        # line 33
ip addr add 10.11.12.13/24 dev "$veth"        # line 34
ip link set peer0 netns "/proc/$pid/ns/net"   # line 36
echo >"$dir/veth"
status=0
wait "$top" || status=$?
exit "$status"
