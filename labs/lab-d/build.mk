# Part (1)(d), bonus: hypercalls inside the KVM kernel module.
#
#   make lab-d           ./lab-d: probes the running KVM for the kit's hypercalls and
#                        runs the guest if it has them (says why not otherwise)
#   make lab-d-modules   the patched kvm.ko, kvm-amd.ko, kvm-intel.ko, built out of tree
#                        from Debian's linux-source-6.1 against the same version's
#                        headers, all fetched with apt-get download into build/lab-d/
#                        (nothing is installed; the host's kernel is not touched)
#   make lab-d-vm        the end-to-end proof: boots that Debian kernel under QEMU
#                        (TCG, -cpu EPYC: an emulated AMD CPU with SVM), loads the
#                        stock and then the patched modules, runs lab-d against each
#   make lab-d-deps      as root: apt-get install what lab-d-modules and lab-d-vm need
#
# Variables: LAB_D_KVERSION=6.1.x-y picks another Debian build; LAB_D_DEBS=DIR keeps
# the downloaded packages outside build/ (they survive 'make clean'); LAB_D_JOBS=N.
#
# make grade runs lab-d-vm (rubric check lab-d.vm) only when asked for:
# make grade LAB_D_VM=1 (the same as GRADE_WITH=lab-d-vm). It downloads about
# 230 MB once, fills about 1 GB of build/lab-d and takes a minute or two.
ifneq ($(filter 1 yes y true,$(LAB_D_VM)),)
override GRADE_WITH += lab-d-vm
endif

PROGRAMS += lab-d
lab-d_SRCS := labs/lab-d/lab-d.c
lab-d_LIBS := $(LIB_LAB)
lab-d_GUESTS := lab-d
GUESTS += lab-d
lab-d_GUEST_SRCS := labs/lab-d/guest.c

LAB_D_STATIC := build/lab-d/lab-d-static

.PHONY: lab-d-modules lab-d-vm lab-d-deps

# The kernel side takes a minute or two, Debian's package mirror and about 1 GB of
# disk, so it is never part of 'all'; these targets are asked for by name.
lab-d-modules:
	@labs/lab-d/modules.sh

lab-d-deps:
	@LAB_D_STEP=lab-d-deps labs/lab-d/prereqs.sh --install

# The lab-d host that runs inside the QEMU guest: linked statically, as the
# initramfs has no C library. Always the plain build, never the sanitized one.
$(LAB_D_STATIC): build/labs/lab-d/lab-d.o $(subst $(BUILD)/,build/,$(LIB_LAB))
	@mkdir -p $(@D)
	$(CC) -static -o $@ $^ $(LDLIBS)

ifdef SANITIZE
lab-d-vm:
	@echo "lab-d-vm: run it without SANITIZE (the VM needs a static, unsanitized lab-d)" >&2; exit 2
else
lab-d-vm: $(LAB_D_STATIC)
	@labs/lab-d/prereqs.sh
	@labs/lab-d/modules.sh
	@labs/lab-d/vm.sh
endif
