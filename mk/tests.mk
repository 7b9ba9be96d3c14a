# The helper layer's own tests, and the answers' live blocks.
TESTS += test_paging test_guest_access test_opts test_kvm test_answers
test_paging_SRCS := tests/test_paging.c
test_paging_LIBS := $(LIB_KVM)
test_guest_access_SRCS := tests/test_guest_access.c
test_guest_access_LIBS := $(LIB_LAB)
test_opts_SRCS := tests/test_opts.c
test_opts_LIBS := $(LIB_UTIL)
test_kvm_SRCS := tests/test_kvm.c
test_kvm_LIBS := $(LIB_LAB)
test_kvm_GUESTS := hello
test_answers_SRCS := tests/test_answers.c

# The programs as a user runs them (they must be built: `make check` builds them first).
TESTS += test_programs
test_programs_SRCS := tests/test_programs.c
test_programs_LIBS := $(LIB_UTIL)
