# The grader's own proof (issue 8, item 5): tests/grader/seeded.sh plants each
# bug of tests/grader/seeded/*.patch in a copy of the kit, grades every copy
# and the unpatched kit with grader/grade --batch, and checks that each bug
# loses points (in the checks its patch names) and the kit scores full marks.
# Slow (a full build per copy) and needs /dev/kvm and root for the isolate
# checks, so it is part of no other target; run it by hand or from CI.
#   make check-grader                         every seeded bug
#   make check-grader SEEDED=print-per-byte   some of them (names of the patches)

.PHONY: check-grader
check-grader: $(GRADER_BIN)
	GRADE=$(abspath $(GRADER_BIN)) tests/grader/seeded.sh $(SEEDED)
