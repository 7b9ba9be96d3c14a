# Part (2)(a)-(d): the namespace questions, shown live by ns-a .. ns-d.
PROGRAMS += ns-a ns-b ns-c ns-d
$(foreach n,a b c d,$(eval ns-$(n)_SRCS := labs/namespaces/ns-$(n).c)$(eval ns-$(n)_LIBS := $(LIB_NS)))

TESTS += test_ns_demos
test_ns_demos_SRCS := tests/test_ns_demos.c
test_ns_demos_LIBS := $(LIB_NS)
