#!/usr/bin/env bash
# Every path of the kit that its texts name must exist: README files,
# answers/, comments in the sources, the rubric, and what the programs
# print (their --help, and lab-a's answers, which name source files).
# Usage: tests/check-paths.sh [PROGRAM_DIR]   (where the built programs are; default .)
set -u
cd "$(dirname "$0")/.."
bin=${1:-.}
top='(common|labs|guests|tests|grader|bench|mk|diagrams|answers)'
# A path: a top folder, then name characters; trailing punctuation is not part of it.
path_re="(^|[^A-Za-z0-9_./-])$top/[A-Za-z0-9_./-]*[A-Za-z0-9_]"

names_in() { # FILE... -> "FILE: PATH" lines
	grep -oHE "$path_re" "$@" 2>/dev/null | sed -E "s/^([^:]*):[^A-Za-z0-9_]*/\1: /"
}

status=0
check() { # SOURCE PATH
	local p=$2
	p=${p%%#*}
	# build output and things made at run time are not in the tree
	case "$p" in build*|*/build/*|tests/grader/work*|grader/grade) return ;; esac
	[[ "$p" == *'*'* ]] && return
	# placeholders such as labs/NAME/build.mk or tests/T
	[[ "/$p/" =~ /[A-Z]+(\.[a-z]+)?/ && ! "/$p/" =~ /(README|RUBRIC)(\.md)?/ ]] && return
	# a prefix of real names, as in "common/ns/ns_*.c" or "ns-$(n).c"
	if ! compgen -G "$p*" >/dev/null; then
		echo "check-paths: $1 names $p, which does not exist" >&2
		status=1
	fi
}

texts=(README.md answers/*.md labs/*/README.md grader/*.md guests/*.c guests/rt/*
	common/*/*.[ch] labs/*/*.[ch] labs/*/*.mk labs/*/*.sh mk/*.mk tests/*.c tests/*.sh
	bench/* grader/*.[ch] grader/rubric/*.rubric Makefile)
while IFS= read -r line; do
	check "${line%%: *}" "${line#*: }"
done < <(names_in "${texts[@]}")

# What the programs say about themselves.
outputs=$(mktemp)
trap 'rm -f "$outputs"' EXIT
for p in lab-a lab-b lab-c lab-d lab-e isolate ns-a ns-b ns-c ns-d kvm-flow; do
	[[ -x "$bin/$p" ]] && "$bin/$p" --help >"$outputs.$p" 2>&1
done
[[ -x "$bin/lab-a" ]] && timeout 20 "$bin/lab-a" >"$outputs.lab-a.run" 2>&1
for f in "$outputs".*; do
	[[ -e "$f" ]] || continue
	while IFS= read -r line; do
		check "output of ${f##*.}" "${line#*: }"
	done < <(names_in "$f")
	rm -f "$f"
done
[[ $status -eq 0 ]] && echo "check-paths: every path the texts and programs name exists"
exit $status
