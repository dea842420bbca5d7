/* Hypervisor names, for the machine record: no machine access, so the readers of a results
 * directory from any machine use it too. */
#ifndef HB_HYPERVISOR_H
#define HB_HYPERVISOR_H

/* The plain name of a cpuid hypervisor vendor string: "KVM" for "KVMKVMKVM"; an unknown
 * string as it is; NULL or "": "none". */
const char *hb_hypervisor_name(const char *vendor);

#endif
