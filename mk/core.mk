# The foundation's own tests.
TESTS += test_paging test_guest_access test_opts test_kvm test_hostile test_multi test_answers
