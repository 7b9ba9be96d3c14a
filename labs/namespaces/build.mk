# Part (2)(a)-(d): the namespace questions, shown live by ns-a .. ns-d. Read labs/namespaces/README.md.
PROGRAMS += ns-a ns-b ns-c ns-d
$(foreach n,a b c d,$(eval ns-$(n)_SRCS := labs/namespaces/ns-$(n).c)$(eval ns-$(n)_LIBS := $(LIB_NS)))
ns-d_SRCS += labs/namespaces/ns-d-look.c
# ns-a and ns-d show isolate's way too: they link its container (labs/isolate/build.mk).
ns-a_SRCS += $(ISOLATE_SRCS)
ns-d_SRCS += $(ISOLATE_SRCS)

TESTS += test_ns_demos
test_ns_demos_SRCS := tests/test_ns_demos.c tests/ns/for-others.c
test_ns_demos_LIBS := $(LIB_NS)
