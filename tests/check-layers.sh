#!/usr/bin/env bash
# The helper layer's layers may only use the ones below them:
#   util <- kvm <- lab,   util <- ns,   abi (a header) <- lab and guests.
# Fails, naming the file and the include, when a layer reaches up or across.
set -u
cd "$(dirname "$0")/.."
allowed_util="util"
allowed_kvm="util kvm"
allowed_lab="util kvm lab abi"
allowed_ns="util ns"
allowed_abi="abi"
status=0
for layer in util kvm lab ns abi; do
	allowed_var="allowed_$layer"
	for f in common/$layer/*.[ch]; do
		while IFS= read -r inc; do
			case "$inc" in
			*/*) dir=${inc%%/*} ;;
			*) continue ;; # same folder
			esac
			if [[ " ${!allowed_var} " != *" $dir "* ]]; then
				echo "check-layers: $f includes \"$inc\": common/$layer may not use $dir/" >&2
				status=1
			fi
		done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$f")
	done
done
[[ $status -eq 0 ]] && echo "check-layers: common/ layers use only the layers below them"
exit $status
