/*
 * The default counter sets, one per libpfm4 core PMU. Every name was looked up in libpfm4's
 * own tables (lib/events/intel_skl_events.h, intel_icl_events.h, intel_spr_events.h,
 * amd64_events_fam17h_zen2.h, amd64_events_fam19h_zen3.h, amd64_events_fam19h_zen4.h,
 * arm_neoverse_n1_events.h) and tests/unit/test_counters.c encodes each one under
 * LIBPFM_FORCE_PMU=<pmu>, so a misspelled name fails make check.
 *
 * Each set is sized to be scheduled as one group next to the NMI watchdog: Intel 4 general
 * counters + 2 fixed (cycles, instructions), AMD Zen 5 of its 6, Arm N1 5 of its 6 + the cycle
 * counter. The metric meanings:
 *   dtlb_load_misses     first-level dTLB misses (Intel: loads that hit the STLB or walked;
 *                        AMD: L1 dTLB misses of loads and stores; Arm: L1D_TLB_REFILL)
 *   dtlb_walks_completed misses of every dTLB level, i.e. page walks (Intel: load walks
 *                        completed; AMD: L2 dTLB misses by page size; Arm: DTLB_WALK)
 *   dtlb_walk_cycles     cycles with a load page walk active (Intel only: WALK_ACTIVE)
 */
#include <stddef.h>
#include <string.h>

#include "counters.h"

#define INTEL_SET(p)                                                                          \
	static const struct hb_ctr_def intel_##p[] = {                                        \
		{ #p "::UNHALTED_CORE_CYCLES", HB_ROLE_CYCLES },                              \
		{ #p "::INSTRUCTION_RETIRED", HB_ROLE_INSTRUCTIONS },                          \
		{ #p "::DTLB_LOAD_MISSES:STLB_HIT", HB_ROLE_DTLB_MISS },                       \
		{ #p "::DTLB_LOAD_MISSES:WALK_COMPLETED", HB_ROLE_DTLB_MISS | HB_ROLE_DTLB_WALK }, \
		{ #p "::DTLB_LOAD_MISSES:WALK_ACTIVE", HB_ROLE_WALK_CYCLES },                  \
		{ #p "::DTLB_STORE_MISSES:WALK_COMPLETED", 0 },                                \
		{ NULL, 0 },                                                                  \
	}

INTEL_SET(skl);
INTEL_SET(skx);
INTEL_SET(clx);
INTEL_SET(icl);
INTEL_SET(icx);
INTEL_SET(spr);

/* Zen's L1_DTLB_MISS umasks split L2 dTLB hits from L2 misses (= walks) by page size. */
#define AMD_SET(p)                                                                            \
	static const struct hb_ctr_def amd_##p[] = {                                          \
		{ #p "::CYCLES_NOT_IN_HALT", HB_ROLE_CYCLES },                                \
		{ #p "::RETIRED_INSTRUCTIONS", HB_ROLE_INSTRUCTIONS },                        \
		{ #p "::L1_DTLB_MISS:TLB_RELOAD_4K_L2_HIT:TLB_RELOAD_2M_L2_HIT:"               \
		     "TLB_RELOAD_1G_L2_HIT:TLB_RELOAD_COALESCED_PAGE_HIT",                    \
		  HB_ROLE_DTLB_MISS },                                                        \
		{ #p "::L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS:TLB_RELOAD_COALESCED_PAGE_MISS",    \
		  HB_ROLE_DTLB_MISS | HB_ROLE_DTLB_WALK },                                    \
		{ #p "::L1_DTLB_MISS:TLB_RELOAD_2M_L2_MISS:TLB_RELOAD_1G_L2_MISS",             \
		  HB_ROLE_DTLB_MISS | HB_ROLE_DTLB_WALK },                                    \
		{ NULL, 0 },                                                                  \
	}

AMD_SET(amd64_fam17h_zen2);
AMD_SET(amd64_fam19h_zen3);
AMD_SET(amd64_fam19h_zen4);

static const struct hb_ctr_def arm_n1[] = {
	{ "arm_n1::CPU_CYCLES", HB_ROLE_CYCLES },
	{ "arm_n1::INST_RETIRED", HB_ROLE_INSTRUCTIONS },
	{ "arm_n1::L1D_TLB_REFILL", HB_ROLE_DTLB_MISS },
	{ "arm_n1::DTLB_WALK", HB_ROLE_DTLB_WALK },
	{ "arm_n1::MEM_ACCESS_RD", 0 },
	{ "arm_n1::MEM_ACCESS_WR", 0 },
	{ NULL, 0 },
};

/* The kernel's generic events: what it maps them to differs per CPU (perf list). */
static const struct hb_ctr_def generic[] = {
	{ "perf::CYCLES", HB_ROLE_CYCLES },
	{ "perf::INSTRUCTIONS", HB_ROLE_INSTRUCTIONS },
	{ "perf::DTLB-LOAD-MISSES", HB_ROLE_DTLB_MISS },
	{ "perf::DTLB-LOADS", 0 },
	{ NULL, 0 },
};

const struct hb_ctr_table hb_ctr_tables[] = {
	{ "skl", "Intel Skylake client", intel_skl },
	{ "skx", "Intel Skylake-X", intel_skx },
	{ "clx", "Intel Cascade Lake", intel_clx },
	{ "icl", "Intel Icelake client", intel_icl },
	{ "icx", "Intel Icelake-X", intel_icx },
	{ "spr", "Intel Sapphire Rapids", intel_spr },
	{ "amd64_fam17h_zen2", "AMD Zen 2", amd_amd64_fam17h_zen2 },
	{ "amd64_fam19h_zen3", "AMD Zen 3", amd_amd64_fam19h_zen3 },
	{ "amd64_fam19h_zen4", "AMD Zen 4", amd_amd64_fam19h_zen4 },
	{ "arm_n1", "Arm Neoverse N1", arm_n1 },
	{ "perf", "generic perf events (any other CPU)", generic },
	{ NULL, NULL, NULL },
};

const struct hb_ctr_def hb_ctr_software[] = {
	{ "perf::PAGE-FAULTS", 0 },
	{ "perf::MINOR-FAULTS", 0 },
	{ "perf::MAJOR-FAULTS", 0 },
	{ "perf::CONTEXT-SWITCHES", 0 },
	{ "perf::CPU-MIGRATIONS", 0 },
	{ NULL, 0 },
};

const struct hb_ctr_table *hb_ctr_table_for(const char *pmu)
{
	for (const struct hb_ctr_table *t = hb_ctr_tables; t->pmu; t++)
		if (!strcmp(t->pmu, pmu))
			return t;
	return NULL;
}
