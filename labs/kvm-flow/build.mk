# Individual problem (1), shown live: ./kvm-flow runs tiny guests through the
# paths of KVM's control flow (lecture 9, slides 26-27) and prints what KVM did.
# flow.c (the demos), kvm-flow.c (main), guest.c (the guest), abi.h (what both
# sides agree on).
PROGRAMS += kvm-flow
kvm-flow_SRCS := labs/kvm-flow/flow.c labs/kvm-flow/kvm-flow.c labs/kvm-flow/report.c labs/kvm-flow/demos.c
kvm-flow_LIBS := $(LIB_LAB)
kvm-flow_GUESTS := kvm-flow

GUESTS += kvm-flow
kvm-flow_GUEST_SRCS := labs/kvm-flow/guest.c

TESTS += test_kvm_flow
test_kvm_flow_SRCS := tests/test_kvm_flow.c labs/kvm-flow/flow.c labs/kvm-flow/demos.c
test_kvm_flow_LIBS := $(LIB_LAB)
test_kvm_flow_GUESTS := kvm-flow
