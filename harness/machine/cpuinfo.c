/*
 * The CPU as the sweep and the report need it: model, and the data TLBs' entries per page
 * size from cpuid (AMD leaves 0x80000005/6, Intel leaf 0x18), or /proc/cpuinfo elsewhere.
 * Only reads; the sizes feed the TLB reach marked on charts and used by the knee rule.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HB_X86 1
#endif

#include "readfile.h"
#include "sysinfo.h"

#ifdef HB_X86
/* AMD's 4-bit associativity code of cpuid 0x80000006 (APM vol. 3, "L2/L3 ... Encoding"). */
static unsigned amd_assoc(unsigned code, unsigned entries)
{
	static const unsigned ways[16] = { 0, 1, 2, 3, 4, 6, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0 };

	return code == 0xf ? entries : ways[code & 0xf];
}

/* 0x80000005 gives 8-bit counts and literal ways (0xff: fully associative). */
static void amd_l1(unsigned reg, unsigned *entries, unsigned *assoc)
{
	*entries = (reg >> 16) & 0xff;
	*assoc = (reg >> 24) == 0xff ? *entries : reg >> 24;
}

/*
 * 0x80000006 and 0x80000019: dTLB in the upper half (4-bit code, 12-bit count), iTLB in the
 * lower. In 0x80000006 an empty upper half means the L2 TLB is unified and the lower half
 * describes it (AMD CPUID spec; PAPI reads it the same way).
 */
static void amd_l2(unsigned reg, int unified_rule, unsigned *entries, unsigned *assoc)
{
	if (unified_rule && !(reg >> 16))
		reg <<= 16;
	*entries = (reg >> 16) & 0xfff;
	if (assoc)
		*assoc = amd_assoc(reg >> 28, *entries);
}

static void tlb_amd(struct hb_cpu_info *c, unsigned maxext)
{
	unsigned a, b, cx, d;

	if (maxext >= 0x80000005) {
		__cpuid(0x80000005, a, b, cx, d);
		amd_l1(a, &c->l1d.entries_2m, &c->l1d.assoc_2m);
		amd_l1(b, &c->l1d.entries_4k, &c->l1d.assoc_4k);
	}
	if (maxext >= 0x80000006) {
		__cpuid(0x80000006, a, b, cx, d);
		amd_l2(a, 1, &c->l2.entries_2m, &c->l2.assoc_2m);
		amd_l2(b, 1, &c->l2.entries_4k, &c->l2.assoc_4k);
	}
	if (maxext >= 0x80000019) {
		/* Hypervisors often zero this leaf: 0 then means "not reported". */
		__cpuid(0x80000019, a, b, cx, d);
		amd_l2(a, 0, &c->l1d.entries_1g, NULL);
		amd_l2(b, 0, &c->l2.entries_1g, NULL);
	}
}

static void tlb_set(unsigned *entries, unsigned *assoc, unsigned e, unsigned ways)
{
	/* Separate 4K and 2M arrays, or load and data TLBs, at one level: keep the largest. */
	if (e > *entries) {
		*entries = e;
		if (assoc)
			*assoc = ways;
	}
}

/* Intel leaf 0x18: one subleaf per translation structure. */
static void tlb_intel(struct hb_cpu_info *c)
{
	unsigned a, b, cx, d, nsub;

	__cpuid_count(0x18, 0, nsub, b, cx, d);
	for (unsigned i = 0; i <= nsub && i < 64; i++) {
		unsigned type, level, ways, e;
		struct hb_tlb_level *lv;

		__cpuid_count(0x18, i, a, b, cx, d);
		type = d & 0x1f;
		level = (d >> 5) & 7;
		/* Types 1 data, 3 unified, 4 load-only serve loads; 2 instr., 5 store-only not */
		if (type != 1 && type != 3 && type != 4)
			continue;
		lv = level == 1 ? &c->l1d : level == 2 ? &c->l2 : NULL;
		if (!lv)
			continue;
		ways = b >> 16;
		e = ways * cx;
		if (b & 1)
			tlb_set(&lv->entries_4k, &lv->assoc_4k, e, ways);
		if (b & 2)
			tlb_set(&lv->entries_2m, &lv->assoc_2m, e, ways);
		if (b & 8)
			tlb_set(&lv->entries_1g, NULL, e, ways);
	}
}

static void cpu_info_x86(struct hb_cpu_info *c)
{
	unsigned a, b, cx, d, max, maxext, regs[12];

	__cpuid(0, max, b, cx, d);
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	c->vendor[12] = '\0';
	if (max >= 1) {
		unsigned base;

		__cpuid(1, a, b, cx, d);
		base = (a >> 8) & 0xf;
		c->family = base == 0xf ? base + ((a >> 20) & 0xff) : base;
		c->model_id = (a >> 4) & 0xf;
		if (base == 0x6 || base == 0xf)
			c->model_id |= ((a >> 16) & 0xf) << 4;
		c->stepping = a & 0xf;
		c->hypervisor = !!(cx & (1u << 31));
	}
	if (c->hypervisor) {
		__cpuid(0x40000000, a, b, cx, d);
		memcpy(c->hv_vendor, &b, 4);
		memcpy(c->hv_vendor + 4, &cx, 4);
		memcpy(c->hv_vendor + 8, &d, 4);
		c->hv_vendor[12] = '\0';
		for (int i = 0; c->hv_vendor[i]; i++)
			if (!isprint((unsigned char)c->hv_vendor[i]))
				c->hv_vendor[i] = '?';
		memmove(c->hv_vendor, hb_trim(c->hv_vendor), strlen(hb_trim(c->hv_vendor)) + 1);
	}
	__cpuid(0x80000000, maxext, b, cx, d);
	if (maxext >= 0x80000004) {
		char brand[49];

		for (unsigned i = 0; i < 3; i++)
			__cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2],
				regs[4 * i + 3]);
		memcpy(brand, regs, 48);
		brand[48] = '\0';
		snprintf(c->model, sizeof(c->model), "%s", hb_trim(brand));
	}
	if (!strcmp(c->vendor, "AuthenticAMD") || !strcmp(c->vendor, "HygonGenuine"))
		tlb_amd(c, maxext);
	else if (max >= 0x18)
		tlb_intel(c);
	/* Older Intel parts describe TLBs only by leaf 2 descriptors: left unknown. */
	c->tlb_known = c->l1d.entries_4k || c->l1d.entries_2m || c->l2.entries_4k ||
		       c->l2.entries_2m;
}
#endif

/* Non-x86 (and an x86 without a brand string): what /proc/cpuinfo says. */
static void cpu_info_proc(struct hb_cpu_info *c)
{
	static const char *const model_keys[] = { "model name", "Processor", "cpu model",
						   "cpu", "uarch" };
	char line[512], part[16] = "";
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *key = line, *val;

		if (!colon)
			continue;
		*colon = '\0';
		key = hb_trim(key);
		val = hb_trim(colon + 1);
		if (!c->model[0]) {
			for (size_t i = 0; i < sizeof(model_keys) / sizeof(model_keys[0]); i++)
				if (!strcmp(key, model_keys[i]) && *val)
					snprintf(c->model, sizeof(c->model), "%s", val);
		}
		if (!c->vendor[0] && (!strcmp(key, "vendor_id") || !strcmp(key, "CPU implementer")))
			snprintf(c->vendor, sizeof(c->vendor), "%s", val);
		if (!part[0] && !strcmp(key, "CPU part"))
			snprintf(part, sizeof(part), "%s", val);
	}
	fclose(f);
	/* arm64 names no model: implementer and part identify it. */
	if (!c->model[0] && part[0])
		snprintf(c->model, sizeof(c->model), "implementer %s part %s", c->vendor, part);
}

void hb_cpu_info(struct hb_cpu_info *c)
{
	memset(c, 0, sizeof(*c));
#ifdef HB_X86
	cpu_info_x86(c);
#endif
	if (!c->model[0])
		cpu_info_proc(c);
}

uint64_t hb_tlb_reach(const struct hb_cpu_info *c, uint64_t page_size)
{
	const struct hb_tlb_level *lv[2] = { &c->l2, &c->l1d };

	if (!c->tlb_known)
		return 0;
	for (int i = 0; i < 2; i++) {
		unsigned e = page_size == 4096		    ? lv[i]->entries_4k
			     : page_size == 2ull << 20 ? lv[i]->entries_2m
			     : page_size == 1ull << 30 ? lv[i]->entries_1g
						       : 0;

		if (e)
			return (uint64_t)e * page_size;
	}
	return 0;
}
