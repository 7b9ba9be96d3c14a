# The grading harness: grader/grade (see grader/README.md).
#
# Built from grader/*.c; every file but main.c also goes into the grader's unit
# test (tests/test_grader.c). It needs only two files of the helper layer
# (messages and option values), not the KVM libraries, so a broken lab elsewhere in the
# tree never stops the grader from building. The SANITIZE=1 build puts its
# binary in build-san/grader/grade, so the plain grader/grade is not overwritten.

GRADER_SRCS := $(wildcard grader/*.c)
GRADER_LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out grader/main.c,$(GRADER_SRCS))) \
	$(BUILD)/common/util/util.o $(BUILD)/common/util/opts.o $(BUILD)/common/util/device.o
GRADER_BIN := $(BIN)grader/grade

$(GRADER_BIN): $(BUILD)/grader/main.o $(GRADER_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

programs: $(GRADER_BIN)

$(BUILD)/tests/test_grader.o: CFLAGS += -Igrader
TESTS += test_grader
test_grader_SRCS := tests/test_grader.c $(filter-out grader/main.c,$(GRADER_SRCS)) \
	common/util/util.c common/util/opts.c common/util/device.c
CLEAN_FILES += grader/grade

# Opt-in checks (rubric `needs optin:NAME`) cost time, downloads or disk, and
# SKIP unless asked for: make grade GRADE_WITH='NAME...' passes --with NAME to
# the grader (LAB_D_VM=1 asks for lab-d-vm, see labs/lab-d/build.mk).
override GRADE_FLAGS += $(foreach name,$(GRADE_WITH),--with $(name))

# The grader's probes: guests that make exactly the calls a check needs,
# through the labs' own guest functions (grader/probes/*.c).
GUESTS += probe-b
probe-b_GUEST_SRCS := grader/probes/probe-b.c labs/lab-b/guest_hypercalls.c
