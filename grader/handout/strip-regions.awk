# Replace every solution region of a C source (or header, or .S file) by
# its stub, as the student handout has it. A region is
#
#     #ifndef STUB_<id>  /* SOLUTION <id> (<question>): <what> */
#     ...the reference answer...
#     #else
#     ...the stub the student starts from...
#     #endif /* SOLUTION <id> */
#
# Conditionals nested inside either branch are kept as they are; only the
# region's own #ifndef/#else/#endif lines go. Regions do not nest.
# With -v only=ID, only region ID is replaced; every other keeps its answer
# (how the proof stubs one region at a time). With -v list=1, print
# "FILE:LINE <id> (<question>): <what>" per region instead.
# Exit status 1, with "FILE:LINE: what is wrong" on stderr, for a malformed region.
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
	exit 1
}
function directive(line,    d) {
	d = line
	sub(/^[ \t]*#[ \t]*/, "", d)
	sub(/[ \t(].*$/, "", d)
	return d
}
BEGIN { state = "out"; depth = 0 }
/^[ \t]*#[ \t]*ifndef[ \t]+STUB_[A-Za-z0-9_]+/ && /SOLUTION/ {
	if (state != "out")
		fail("a solution region starts inside region " id)
	id = $0
	sub(/^[ \t]*#[ \t]*ifndef[ \t]+STUB_/, "", id)
	sub(/[^A-Za-z0-9_].*$/, "", id)
	what = $0
	sub(/^.*SOLUTION[ \t]+[A-Za-z0-9_]+[ \t]*/, "", what)
	sub(/[ \t]*\*\/[ \t]*$/, "", what)
	if (what !~ /^\(/)
		fail("region " id ": the marker must say '(question): what', e.g. '(b.1): print(), host side'")
	if (list)
		printf "%s:%d %s %s\n", FILENAME, FNR, id, what
	state = "solution"
	depth = 0
	start = FNR
	keep = only != "" && only != id  # this region keeps its answer
	if (keep && !list)
		print
	next
}
state != "out" {
	d = directive($0)
	if (d ~ /^if/) {
		depth++
	} else if (d == "endif" && depth > 0) {
		depth--
	} else if (d == "else" && depth == 0) {
		if (state != "solution")
			fail("region " id " has two #else lines")
		state = "stub"
		if (keep && !list)
			print
		next
	} else if (d == "endif") {
		if (state != "stub")
			fail("region " id " ends without a stub (#else)")
		if ($0 !~ ("SOLUTION[ \t]+" id "([^A-Za-z0-9_]|$)"))
			fail("region " id " must end with '#endif /* SOLUTION " id " */'")
		state = "out"
		if (keep && !list)
			print
		next
	}
	if (!list && (keep || state == "stub"))
		print
	next
}
!list { print }
END {
	if (!bad && state != "out")
		fail("region " id " (from line " start ") never ends")
}
