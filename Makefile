# The lab kit's one entry point. `make help` lists the targets.
#
#   make            build every program (labs, isolate, ns-*, grader)
#   make grade      build, then run every lab and score it (the main job)
#   make check      build and run the unit tests, plain and under ASan+UBSan
#   make bench      benchmarks (never part of check); bench-lab-b, -lab-c, -lab-e, -isolate
#   make diagrams   graphviz diagrams of lab-a's and lab-e's memory, into diagrams/
#   make lab-d-modules, make lab-d-vm   the bonus: patched KVM modules, run under QEMU
#   make deps       install (as root) or name the missing Debian packages
#   make SANITIZE=1 build with AddressSanitizer and UBSan into build-san/
#   make CC=clang   build with clang
#
# Parts of the kit add themselves through mk/*.mk fragments, which append to
# PROGRAMS (host programs built at the top level), TESTS (cmocka test
# programs in tests/), GUESTS (guest images), BENCHES (bench targets) and
# BENCH_PROGRAMS (benchmarks written in C: bench/NAME.c, run by `make NAME`).

.DEFAULT_GOAL := all
SHELL := /bin/bash

CC ?= gcc
BUILD := build$(if $(SANITIZE),-san)
BIN := $(if $(SANITIZE),$(BUILD)/,)

WARN := -Wall -Wextra -Werror
CFLAGS := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -Icommon -Iguests -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS := $(EXTRA_LDFLAGS)
LDLIBS := -lpthread -lrt -lm
ifdef SANITIZE
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

# --- guests: freestanding flat binaries, always built plain into build/guests
GUEST_CFLAGS := -std=gnu11 -O2 $(WARN) -m64 -ffreestanding -nostdlib -fno-pic -fno-pie \
	-mgeneral-regs-only -mno-red-zone -fno-stack-protector -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -Iguests -Icommon -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -Wl,-T,guests/guest.ld -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments
GUEST_RT := $(patsubst guests/rt/%,build/guests/rt/%.o,$(wildcard guests/rt/*.c guests/rt/*.S))
# Guests that take no runtime: their own _start is the first byte (hello mirrors kvm-hello-world).
GUESTS_BARE := hello
GUESTS := hello

build/guests/rt/%.c.o: guests/rt/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
build/guests/rt/%.S.o: guests/rt/%.S
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
build/guests/%.o: guests/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
build/guests/%.elf: build/guests/%.o $(GUEST_RT) guests/guest.ld
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(if $(filter $*,$(GUESTS_BARE)),,$(GUEST_RT))
build/guests/%.bin: build/guests/%.elf
	objcopy -O binary $< $@

# --- the shared helper layer
COMMON_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard common/*.c))
$(BUILD)/libkit.a: $(COMMON_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

GUEST_BINS = $(patsubst %,build/guests/%.bin,$(GUESTS))
guests: $(GUEST_BINS)

PROGRAMS := lab-a
TESTS :=
BENCHES :=
BENCH_PROGRAMS :=
CLEAN_FILES :=

include $(sort $(wildcard mk/*.mk))

# A program NAME is labs/NAME.c linked with the helper layer.
# Programs and tests embed guests with .incbin, so their objects depend on the images.
define program_rule
$(BIN)$(1): $(BUILD)/labs/$(1).o $(BUILD)/libkit.a
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
$(BUILD)/labs/$(1).o: $(GUEST_BINS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))
$(foreach t,$(TESTS),$(eval $(BUILD)/tests/$(t).o: $(GUEST_BINS)))

# A benchmark NAME is bench/NAME.c linked with the helper layer; `make NAME` runs it.
define bench_rule
build/bench/$(1): $(BUILD)/bench/$(1).o $(BUILD)/libkit.a
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
$(BUILD)/bench/$(1).o: $(GUEST_BINS)
.PHONY: $(1)
$(1): build/bench/$(1)
	@build/bench/$(1)
endef
$(foreach b,$(BENCH_PROGRAMS),$(eval $(call bench_rule,$(b))))

TEST_BINS = $(patsubst %,$(BUILD)/tests/%,$(TESTS))
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

.PHONY: all guests deps check check-plain check-san grade bench clean help programs tests
all: deps programs
programs: $(addprefix $(BIN),$(PROGRAMS)) $(GUEST_BINS)
tests: $(TEST_BINS)

deps:
	@mk/deps.sh

check: deps
	@$(MAKE) --no-print-directory check-plain
	@$(MAKE) --no-print-directory SANITIZE=1 check-san

check-plain check-san: programs tests
	@tests/run-tests.sh $(if $(SANITIZE),"ASan+UBSan","plain") $(TEST_BINS)

grade: all
	@grader/grade $(GRADE_FLAGS)

# Each part adds a bench-NAME target to BENCHES; `make bench` runs them all.
bench: all
	@set -e; for b in $(BENCHES); do $(MAKE) --no-print-directory $$b; done

clean:
	rm -rf build build-san $(PROGRAMS) $(CLEAN_FILES) $(addprefix build/bench/,$(BENCH_PROGRAMS))

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find build build-san -name '*.d' 2>/dev/null)
