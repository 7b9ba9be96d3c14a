#!/usr/bin/env bash
# Autograding on a CI machine with KVM: what the handout's GitHub workflow
# (.github/workflows/classroom.yml) runs, and what you can run on any Linux
# machine to see the same result.
#
#   grader/ci-grade.sh setup [--dry-run]
#       As root (it asks sudo): install the kit's packages, give every user
#       /dev/kvm with a udev rule (a GitHub runner's user is not in group kvm),
#       and let unprivileged users make user namespaces where AppArmor forbids
#       it (Ubuntu 24.04). Meant for a throwaway CI machine. --dry-run prints
#       the commands instead.
#
#   grader/ci-grade.sh [grade] [--submission DIR] [--handout DIR] [--out DIR] [-- GRADER-OPTION...]
#       Grade DIR (default: the tree this script is in) as a submission of the
#       pristine handout: only the files its .handout lists as 'edit' are taken,
#       onto a fresh copy of the handout, graded with the handout's own rubric
#       and grader. The pristine handout is --handout DIR, else the first commit
#       of DIR's git history (a repository made from a template starts with one
#       commit: the handout as given; check out with fetch-depth: 0), else DIR
#       itself (then the repository's own Makefile and rubric count: said in
#       the summary). Runs the grader as root when sudo allows it (the namespace
#       checks need root). Writes into --out (default: a temporary folder):
#       report.txt, results.json, summary.md and classroom.json; appends the
#       summary to $GITHUB_STEP_SUMMARY and writes result=BASE64(classroom.json)
#       to $GITHUB_OUTPUT when those are set (GitHub Actions sets them), for
#       classroom-resources/autograding-grading-reporter.
#
# Exit status: the grader's (0 no check failed, 1 some failed, 2 not a
# submission of the handout or a usage error).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
say() { echo "ci-grade: $*" >&2; }
die() { say "$1"; exit "${2:-1}"; }

as_root() { # COMMAND...: as root, through sudo when needed (and allowed)
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -E "$@"
	else
		return 126
	fi
}

setup() {
	local dry=${1:-} rule='KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"'
	local run=(as_root)
	[[ "$dry" == --dry-run ]] && run=(echo "would run:")
	if [[ -z "$dry" && $(id -u) -ne 0 ]] && ! sudo -n true 2>/dev/null; then
		die "setup needs root (or passwordless sudo): it installs packages and changes /dev/kvm's mode" 2
	fi
	mapfile -t packages < <("$here/mk/deps.sh" --list-required)
	"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
	# GitHub's hosted runners have /dev/kvm, root-only: give it to everyone (this machine is thrown away).
	if [[ "$dry" == --dry-run ]]; then
		echo "would write /etc/udev/rules.d/99-kit-kvm.rules: $rule"
	else
		echo "$rule" | as_root tee /etc/udev/rules.d/99-kit-kvm.rules >/dev/null
	fi
	if command -v udevadm >/dev/null || [[ "$dry" == --dry-run ]]; then
		"${run[@]}" udevadm control --reload-rules
		"${run[@]}" udevadm trigger --name-match=kvm
	fi
	# Ubuntu 24.04 lets AppArmor forbid user namespaces to unprivileged users (ns.isolate.rootless).
	if [[ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null)" == 1 || "$dry" == --dry-run ]]; then
		"${run[@]}" sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
	fi
	[[ -n "$dry" ]] && return 0
	if [[ -e /dev/kvm ]]; then
		say "setup: $(ls -l /dev/kvm)"
	else
		say "setup: this machine has no /dev/kvm: the checks that need KVM will SKIP, saying why"
	fi
}

# The pristine handout for a submission in $1, into $2: its repository's first commit.
handout_from_git() {
	local sub=$1 dest=$2 roots
	git -C "$sub" rev-parse --is-inside-work-tree >/dev/null 2>&1 || return 1
	if [[ "$(git -C "$sub" rev-parse --is-shallow-repository 2>/dev/null)" == true ]]; then
		say "the checkout is shallow: its first commit is not here (actions/checkout needs fetch-depth: 0)"
		return 1
	fi
	mapfile -t roots < <(git -C "$sub" rev-list --max-parents=0 HEAD 2>/dev/null)
	[[ ${#roots[@]} -eq 1 ]] || return 1
	mkdir -p "$dest" && git -C "$sub" archive "${roots[0]}" | tar -x -C "$dest" || return 1
	[[ -f "$dest/.handout" ]] || return 1
	say "the pristine handout: the repository's first commit, ${roots[0]:0:12}"
}

grade() {
	local sub=$here handout='' out='' status
	local -a extra=()
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--submission) sub=${2:?--submission needs a folder}; shift 2 ;;
		--handout) handout=${2:?--handout needs a folder}; shift 2 ;;
		--out) out=${2:?--out needs a folder}; shift 2 ;;
		--) shift; extra=("$@"); break ;;
		*) die "unknown argument '$1' (see the top of $0)" 2 ;;
		esac
	done
	[[ -d "$sub" ]] || die "--submission $sub: not a folder" 2
	sub=$(cd "$sub" && pwd)
	work=$(mktemp -d "${TMPDIR:-/tmp}/ci-grade.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	[[ -n "$out" ]] || out=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ci-grade-results.XXXXXX")
	mkdir -p "$out" && out=$(cd "$out" && pwd)
	local fallback_note=
	if [[ -z "$handout" ]] && handout_from_git "$sub" "$work/handout"; then
		handout=$work/handout
	elif [[ -z "$handout" ]]; then
		fallback_note="No pristine copy of the handout was found (no --handout, and no git history with one first commit): graded against this repository's own files, its Makefile and rubric included."
		say "$fallback_note"
		handout=$work/handout
		cp -a "$sub" "$handout" && rm -rf "$handout/.git" "$handout/build" "$handout/build-san"
	fi
	[[ -f "$handout/.handout" ]] || die "--handout $handout: not a handout (no .handout): make one with make handout" 2
	# The grader that grades is the pristine handout's own, built outside the submission.
	if ! make -s -C "$handout" grader/grade >"$out/grader-build.log" 2>&1; then
		tail -20 "$out/grader-build.log" >&2
		die "the handout's grader does not build (log: $out/grader-build.log)"
	fi
	export KIT_DEPS_OPTIONAL=no # the builds install no optional part (lab-d's QEMU run is not graded here)
	local -a grader=("$handout/grader/grade" --submission "$sub" --handout "$handout"
		--json "$out/results.json" --summary "$out/summary.md" --classroom "$out/classroom.json"
		"${extra[@]}")
	if [[ $(id -u) -ne 0 ]] && ! as_root true 2>/dev/null; then
		say "not root and no passwordless sudo: the checks that need root will SKIP, saying why"
		"${grader[@]}" 2>&1 | tee "$out/report.txt"
	else
		as_root "${grader[@]}" 2>&1 | tee "$out/report.txt"
	fi
	status=${PIPESTATUS[0]}
	as_root chown -R "$(id -u):$(id -g)" "$out" 2>/dev/null
	if [[ -n "$fallback_note" && -f "$out/summary.md" ]]; then
		printf '\n> %s\n' "$fallback_note" >>"$out/summary.md"
	fi
	if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "$out/summary.md" ]]; then
		cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
	fi
	if [[ -n "${GITHUB_OUTPUT:-}" && -f "$out/classroom.json" ]]; then
		echo "result=$(base64 -w0 <"$out/classroom.json")" >>"$GITHUB_OUTPUT"
	fi
	say "results in $out (report.txt, results.json, summary.md, classroom.json)"
	return "$status"
}

case "${1:-grade}" in
-h | --help | help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
setup) shift; setup "$@" ;;
grade) [[ $# -gt 0 ]] && shift; grade "$@" ;;
--*) grade "$@" ;;
*) die "unknown command '$1': setup or grade (see --help)" 2 ;;
esac
