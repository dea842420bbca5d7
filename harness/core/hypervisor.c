/* Hypervisor names for the machine record (hypervisor.h): meta.json is written with them
 * (machine/sysinfo.c) and an older one without is read with them (results/rundata.c). */
#include <stdio.h>
#include <string.h>

#include "hypervisor.h"
#include "text.h"

/* The cpuid hypervisor vendor strings (leaf 0x40000000, trimmed) people know by another name. */
static const struct {
	const char *cpuid, *name;
} hypervisors[] = {
	{ "KVMKVMKVM", "KVM" },		  { "Microsoft Hv", "Hyper-V" },
	{ "VMwareVMware", "VMware" },	  { "XenVMMXenVMM", "Xen" },
	{ "TCGTCGTCGTCG", "QEMU (TCG)" }, { "bhyve bhyve", "bhyve" },
	{ "lrpepyh  vr", "Parallels" },	  { "ACRNACRNACRN", "ACRN" },
	{ "QNXQVMBSQG", "QNX" },
};

const char *hb_hypervisor_name(const char *vendor)
{
	char v[32];

	if (!vendor || !*vendor)
		return "none";
	snprintf(v, sizeof(v), "%s", vendor);
	for (size_t i = 0; i < sizeof(hypervisors) / sizeof(hypervisors[0]); i++)
		if (!strcmp(hb_trim(v), hypervisors[i].cpuid))
			return hypervisors[i].name;
	return vendor;
}
