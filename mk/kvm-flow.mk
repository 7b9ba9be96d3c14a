# Individual problem (1), shown live: ./kvm-flow runs tiny guests through the
# paths of KVM's control flow (lecture 9, slides 26-27) and prints what KVM did.
# Its files live in labs/kvm-flow/: flow.c (the demos), kvm-flow.c (main),
# guest.c (the guest), abi.h (what both sides agree on).
PROGRAMS += kvm-flow
GUESTS += kvm-flow
TESTS += test_kvm_flow

KVM_FLOW_DIR := labs/kvm-flow
KVM_FLOW_OBJS := $(BUILD)/$(KVM_FLOW_DIR)/kvm-flow.o $(BUILD)/$(KVM_FLOW_DIR)/flow.o

# The guest's source is in the lab's folder, not in guests/.
build/guests/kvm-flow.o: $(KVM_FLOW_DIR)/guest.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -I$(KVM_FLOW_DIR) -c $< -o $@

# flow.c embeds the guest with .incbin, which -MMD does not record.
$(BUILD)/$(KVM_FLOW_DIR)/flow.o: build/guests/kvm-flow.bin

# The top Makefile links a program from one object, $(BUILD)/labs/NAME.o;
# kvm-flow has two, so that object is their partial link (ld -r).
$(BUILD)/labs/kvm-flow.o: $(KVM_FLOW_OBJS)
	$(LD) -r -o $@ $(KVM_FLOW_OBJS)

# The test drives the demos through flow.c's functions.
$(BUILD)/tests/test_kvm_flow.o: CFLAGS += -I$(KVM_FLOW_DIR)
$(BUILD)/tests/test_kvm_flow: $(BUILD)/tests/test_kvm_flow.o $(BUILD)/$(KVM_FLOW_DIR)/flow.o \
		$(BUILD)/libkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
