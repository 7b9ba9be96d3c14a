# The lab kit's one entry point. `make help` lists the targets.
#
#   make            build every program (labs, isolate, ns-*, grader)
#   make grade      build, then run every lab and score it (the main job)
#   make check      build and run the unit tests, plain and under ASan+UBSan
#   make bench      benchmarks (never part of check); bench-lab-b, -lab-c, -lab-e, -isolate
#   make diagrams   graphviz diagrams of lab-a's and lab-e's memory, into diagrams/
#   make lab-d-modules, make lab-d-vm   the bonus: patched KVM modules, run under QEMU
#   make deps       install (as root) or name the missing Debian packages
#   make handout HANDOUT=DIR   for instructors: the student tree (regions stubbed) in DIR
#   make autograder build/autograder.zip for Gradescope (PRIVATE_RUBRIC=DIR adds hidden
#                   checks); grader/COURSE.md: how to run a course with the kit
#   make SANITIZE=1 build with AddressSanitizer and UBSan into build-san/
#   make CC=clang   build with clang
#
# The helper layer is one library per layer, each using only those below it:
#   common/util  libkit-util.a  exit codes, messages, option values, clock
#   common/kvm   libkit-kvm.a   the KVM wrapper: VM, vCPU, run loop, paging, guest pointers
#   common/lab   libkit-lab.a   what the KVM labs share: options, the standard guest layout
#   common/ns    libkit-ns.a    the namespace helpers
# (common/abi/hypercall.h, the hypercall ABI, is a header shared with the guests.)
#
# Each lab adds itself in labs/NAME/build.mk (other parts in mk/*.mk) by naming
# what it builds:
#   PROGRAMS += P       P_SRCS (host sources; the first embeds the guests), P_LIBS,
#                       P_GUESTS (guest images the program embeds)
#   TESTS += T          the same variables for the cmocka test tests/T
#   BENCH_PROGRAMS += B the same for the benchmark build/bench/B (`make B` runs it)
#   GUESTS += G         G_GUEST_SRCS (guest sources), G_BARE = 1 for a guest
#                       without the runtime (its own _start comes first)
#   BENCHES += bench-X  a target `make bench` runs

.DEFAULT_GOAL := all
SHELL := /bin/bash
# Nothing the build makes is an intermediate to delete: a second make rebuilds nothing.
.SECONDARY:

BUILD := build$(if $(SANITIZE),-san)
BIN := $(if $(SANITIZE),$(BUILD)/,)

WARN := -Wall -Wextra -Werror
CFLAGS := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -Icommon -Ilabs -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS := $(EXTRA_LDFLAGS)
LDLIBS := -lpthread -lrt -lm
ifdef SANITIZE
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

# --- the helper layer: one library per layer
LAYERS := util kvm lab ns
define layer_rule
$(BUILD)/libkit-$(1).a: $(patsubst %.c,$(BUILD)/%.o,$(wildcard common/$(1)/*.c))
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))
# What a program links for each layer, the layers below included (order matters for ld).
LIB_UTIL := $(BUILD)/libkit-util.a
LIB_KVM := $(BUILD)/libkit-kvm.a $(LIB_UTIL)
LIB_LAB := $(BUILD)/libkit-lab.a $(LIB_KVM)
LIB_NS := $(BUILD)/libkit-ns.a $(LIB_UTIL)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# --- guests: freestanding flat binaries, always built plain into build/guests
GUEST_CFLAGS := -std=gnu11 -O2 $(WARN) -m64 -ffreestanding -nostdlib -fno-pic -fno-pie \
	-mgeneral-regs-only -mno-red-zone -fno-stack-protector -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -Iguests -Icommon -Ilabs -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -Wl,-T,guests/guest.ld -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments
GUEST_RT := $(patsubst %,build/guest-obj/%.o,$(basename $(wildcard guests/rt/*.c guests/rt/*.S)))

build/guest-obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
build/guest-obj/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
build/guests/%.bin: build/guests/%.elf
	objcopy -O binary $< $@

PROGRAMS :=
TESTS :=
GUESTS :=
BENCHES :=
BENCH_PROGRAMS :=
CLEAN_FILES :=

include $(sort $(wildcard mk/*.mk)) $(sort $(wildcard labs/*/build.mk))

define guest_rule
build/guests/$(1).elf: $(patsubst %,build/guest-obj/%.o,$(basename $($(1)_GUEST_SRCS))) \
		$(if $($(1)_BARE),,$(GUEST_RT)) guests/guest.ld
	@mkdir -p $$(@D)
	$$(CC) $$(GUEST_CFLAGS) $$(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
endef
$(foreach g,$(GUESTS),$(eval $(call guest_rule,$(g))))
GUEST_BINS = $(patsubst %,build/guests/%.bin,$(GUESTS))

# link_rule(OUTPUT, NAME, EXTRA_LIBS): NAME_SRCS linked with NAME_LIBS. The first
# source embeds NAME_GUESTS with .incbin, which the compiler's dependency files
# do not record: it is rebuilt when one of those images changes.
define link_rule
$(1): $(patsubst %.c,$(BUILD)/%.o,$($(2)_SRCS)) $($(2)_LIBS)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(filter %.a,$$^) $$(LDLIBS) $(3)
$(patsubst %.c,$(BUILD)/%.o,$(firstword $($(2)_SRCS))): $(patsubst %,build/guests/%.bin,$($(2)_GUESTS))
endef
$(foreach p,$(PROGRAMS),$(eval $(call link_rule,$(BIN)$(p),$(p))))
$(foreach t,$(TESTS),$(eval $(call link_rule,$(BUILD)/tests/$(t),$(t),-lcmocka)))
$(foreach b,$(BENCH_PROGRAMS),$(eval $(call link_rule,build/bench/$(b),$(b))))
# `make NAME` runs the benchmark NAME.
$(foreach b,$(BENCH_PROGRAMS),$(eval .PHONY: $(b))$(eval $(b): build/bench/$(b) ; @build/bench/$(b)))

TEST_BINS = $(patsubst %,$(BUILD)/tests/%,$(TESTS))

.PHONY: all guests deps check check-plain check-san grade bench clean help programs tests handout autograder
all: deps programs
programs: $(addprefix $(BIN),$(PROGRAMS)) $(GUEST_BINS)
guests: $(GUEST_BINS)
tests: $(TEST_BINS)

deps:
	@mk/deps.sh

check: deps
	@$(MAKE) --no-print-directory check-plain
	@$(MAKE) --no-print-directory SANITIZE=1 check-san

check-plain check-san: programs tests
	@tests/check-layers.sh
	@tests/check-paths.sh $(if $(BIN),$(BIN),.)
	@tests/original-guest.sh $(if $(BIN),$(BIN),.); s=$$?; [ $$s = 0 ] || [ $$s = 77 ]
	@tests/run-tests.sh $(if $(SANITIZE),"ASan+UBSan","plain") $(TEST_BINS)

grade: all
	@grader/grade $(GRADE_FLAGS)

# For instructors (grader/COURSE.md). Both run in the kit, not in a handout (which has no generator).
KIT_ONLY = $(if $(wildcard grader/handout/make-handout.sh),,$(error make $@ runs in the kit: this tree has \
	no grader/handout/ (a handout is made from the kit, not from another handout)))
handout:
	$(KIT_ONLY)
	$(if $(HANDOUT),,$(error make handout needs a folder to write: make handout HANDOUT=DIR \
		(a new or empty folder outside the kit)))
	@grader/handout/make-handout.sh "$(HANDOUT)"

autograder: $(GRADER_BIN)
	$(KIT_ONLY)
	@grader/handout/make-autograder.sh build/autograder.zip $(if $(PRIVATE_RUBRIC),"$(PRIVATE_RUBRIC)")

# Each part adds a bench-NAME target to BENCHES; `make bench` runs them all.
bench: all
	@set -e; for b in $(BENCHES); do $(MAKE) --no-print-directory $$b; done

clean:
	rm -rf build build-san $(PROGRAMS) $(CLEAN_FILES)

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find build build-san -name '*.d' 2>/dev/null)
