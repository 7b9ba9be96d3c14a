/* kvm-flow: printing what each demo saw, and judging it (report.c). */
#ifndef KVM_FLOW_REPORT_H
#define KVM_FLOW_REPORT_H

#include <stdbool.h>

#include "flow.h"

/* Where KVM's counters come from on this kernel (the stats fd, or why none). */
void print_sources(const struct flow *f);
/* Each prints its demo's findings; false when KVM misbehaved. */
bool print_exits(const struct flow *f, const struct flow_exits_result *r);
bool print_signal(const struct flow *f, const struct flow_signal_result *r);
bool print_mmio(const struct flow *f, const struct flow_mmio_result *r);
bool print_fault(const struct flow *f, const struct flow_fault_result *r);

#endif
