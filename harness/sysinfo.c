/*
 * What the machine is: kernel, THP/mTHP/hugetlb state, CPU and TLB sizes, topology, whether
 * hardware counters exist, cgroup and free-page reporting. Everything here only reads: the
 * knobs module is the one place that writes machine state.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#elif defined(__has_include)
#if __has_include(<hwloc.h>)
#define HAVE_HWLOC 1 /* built by hand, without configure */
#endif
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#ifdef HAVE_HWLOC
#include <hwloc.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HB_X86 1
#endif

#include "cgroup.h"
#include "counters.h"
#include "sysinfo.h"
#include "readfile.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define HUGETLB_DIR "/sys/kernel/mm/hugepages"
#define PAGE_REPORTING_DIR "/sys/module/page_reporting/parameters"
#define VIRTIO_DIR "/sys/bus/virtio/devices"

static char *trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* snprintf for paths: 0, or -ENAMETOOLONG rather than a silently cut path. */
static int path_of(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int path_of(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}


/* "always [madvise] never" -> "madvise"; anything else unchanged. */
static void selected_word(char *s)
{
	char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;

	if (close) {
		*close = '\0';
		memmove(s, open + 1, strlen(open + 1) + 1);
	}
}

static int is_uint(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 19)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* json_string wants UTF-8: a value we cannot vouch for becomes printable ASCII. */
static json_t *jstr(const char *s)
{
	char buf[256];
	size_t i;

	if (!s)
		return json_null();
	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

/* A knob file as JSON: selection files give the selected word, counters give integers. */
static json_t *knob_value(const char *path)
{
	char buf[4096];

	if (hb_read_text(path, buf, sizeof(buf)) < 0)
		return NULL;
	selected_word(buf);
	if (is_uint(buf))
		return json_integer((json_int_t)strtoull(buf, NULL, 10));
	return jstr(buf);
}

static int is_dir(const char *dir, const struct dirent *d)
{
	char path[PATH_MAX];
	struct stat st;

	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_DIR;
	return !path_of(path, sizeof(path), "%s/%s", dir, d->d_name) && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

static int no_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* "hugepages-64kB" sorts by its size, not alphabetically. */
static unsigned long long size_of_name(const char *name)
{
	const char *dash = strchr(name, '-');

	return strtoull(dash ? dash + 1 : name, NULL, 10);
}

static int by_size(const struct dirent **a, const struct dirent **b)
{
	unsigned long long x = size_of_name((*a)->d_name), y = size_of_name((*b)->d_name);

	return x < y ? -1 : x > y;
}

/* Every plain file of dir as knob_value; subdirectories go to "sub" (may be NULL). */
static json_t *dir_values(const char *dir, void (*sub)(json_t *, const char *, const char *))
{
	struct dirent **ents;
	char path[PATH_MAX];
	json_t *o;
	int n = scandir(dir, &ents, no_dots, alphasort);

	if (n < 0)
		return NULL;
	o = json_object();
	for (int i = 0; i < n; i++) {
		if (path_of(path, sizeof(path), "%s/%s", dir, ents[i]->d_name)) {
			/* too long to read: left out */
		} else if (is_dir(dir, ents[i])) {
			if (sub)
				sub(o, ents[i]->d_name, path);
		} else {
			json_t *v = knob_value(path);

			if (v)
				json_object_set_new(o, ents[i]->d_name, v);
		}
		free(ents[i]);
	}
	free(ents);
	return o;
}

static void mthp_sub(json_t *o, const char *name, const char *path)
{
	if (!strcmp(name, "stats"))
		json_object_set_new(o, "stats", dir_values(path, NULL));
}

static json_t *thp_json(void)
{
	struct dirent **ents;
	char path[PATH_MAX], key[64];
	json_t *thp = dir_values(THP_DIR, NULL), *mthp;
	int n;

	if (!thp)
		return json_null();
	json_object_set_new(thp, "khugepaged", dir_values(THP_DIR "/khugepaged", NULL));
	n = scandir(THP_DIR, &ents, no_dots, by_size);
	if (n < 0)
		return thp;
	mthp = json_object();
	for (int i = 0; i < n; i++) {
		if (!strncmp(ents[i]->d_name, "hugepages-", 10) && is_dir(THP_DIR, ents[i]) &&
		    !path_of(path, sizeof(path), THP_DIR "/%s", ents[i]->d_name) &&
		    !path_of(key, sizeof(key), "%s", ents[i]->d_name + 10))
			json_object_set_new(mthp, key, dir_values(path, mthp_sub));
		free(ents[i]);
	}
	free(ents);
	json_object_set_new(thp, "mthp", mthp);
	return thp;
}

static json_t *hugetlb_json(void)
{
	static const char *const files[] = { "nr_hugepages", "free_hugepages", "resv_hugepages",
					     "surplus_hugepages", "nr_overcommit_hugepages" };
	struct dirent **ents;
	char path[PATH_MAX];
	json_t *a;
	int n = scandir(HUGETLB_DIR, &ents, no_dots, by_size);

	if (n < 0)
		return json_null();
	a = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "page_kib", json_integer(size_of_name(ents[i]->d_name)));
		for (size_t j = 0; j < sizeof(files) / sizeof(files[0]); j++) {
			json_t *v;

			if (!path_of(path, sizeof(path), HUGETLB_DIR "/%s/%s", ents[i]->d_name,
				     files[j]) &&
			    (v = knob_value(path)))
				json_object_set_new(o, files[j], v);
		}
		json_array_append_new(a, o);
		free(ents[i]);
	}
	free(ents);
	return a;
}

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
		memmove(c->hv_vendor, trim(c->hv_vendor), strlen(trim(c->hv_vendor)) + 1);
	}
	__cpuid(0x80000000, maxext, b, cx, d);
	if (maxext >= 0x80000004) {
		char brand[49];

		for (unsigned i = 0; i < 3; i++)
			__cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2],
				regs[4 * i + 3]);
		memcpy(brand, regs, 48);
		brand[48] = '\0';
		snprintf(c->model, sizeof(c->model), "%s", trim(brand));
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
		key = trim(key);
		val = trim(colon + 1);
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

static json_t *tlb_level_json(const struct hb_tlb_level *l)
{
	return json_pack("{s:I, s:I, s:I}", "4k", (json_int_t)l->entries_4k, "2m",
			 (json_int_t)l->entries_2m, "1g", (json_int_t)l->entries_1g);
}

static json_t *cpu_json(const struct hb_cpu_info *c)
{
	json_t *tlb = json_pack("{s:b, s:o, s:o, s:I, s:I, s:I}", "known", c->tlb_known, "l1d",
				tlb_level_json(&c->l1d), "l2", tlb_level_json(&c->l2),
				"reach_4k_bytes", (json_int_t)hb_tlb_reach(c, 4096),
				"reach_2m_bytes", (json_int_t)hb_tlb_reach(c, 2ull << 20),
				"reach_1g_bytes", (json_int_t)hb_tlb_reach(c, 1ull << 30));
	json_t *o = json_object();

	json_object_set_new(o, "vendor", jstr(c->vendor));
	json_object_set_new(o, "model", jstr(c->model));
	json_object_set_new(o, "family", json_integer(c->family));
	json_object_set_new(o, "model_id", json_integer(c->model_id));
	json_object_set_new(o, "stepping", json_integer(c->stepping));
	json_object_set_new(o, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(o, "tlb", tlb);
	return o;
}

#ifdef HAVE_HWLOC
static json_t *cache_json(unsigned level, hwloc_obj_cache_type_t type, hwloc_uint64_t size,
			  int count)
{
	const char *t = type == HWLOC_OBJ_CACHE_DATA	      ? "data"
			: type == HWLOC_OBJ_CACHE_INSTRUCTION ? "instruction"
							      : "unified";

	return json_pack("{s:i, s:s, s:I, s:i}", "level", (int)level, "type", t, "size_bytes",
			 (json_int_t)size, "count", count);
}
#endif

static json_t *topology_json(void)
{
#ifdef HAVE_HWLOC
	static const hwloc_obj_type_t cache_types[] = {
		HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L2ICACHE,
		HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE, HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
	};
	hwloc_topology_t topo;
	json_t *o, *caches;

	if (hwloc_topology_init(&topo) < 0)
		return json_pack("{s:s}", "error", "hwloc_topology_init failed");
	/* hwloc 2 drops instruction caches unless asked. */
	(void)hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL);
	if (hwloc_topology_load(topo) < 0) {
		hwloc_topology_destroy(topo);
		return json_pack("{s:s}", "error", "hwloc_topology_load failed");
	}
	o = json_pack("{s:i, s:i, s:i, s:i}", "packages",
		      hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE), "cores",
		      hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE), "pus",
		      hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU), "numa_nodes",
		      hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE));
	caches = json_array();
	for (size_t t = 0; t < sizeof(cache_types) / sizeof(cache_types[0]); t++) {
		/* Hybrid parts have caches of one level in two sizes: one row per size. */
		struct {
			hwloc_uint64_t size;
			unsigned depth;
			hwloc_obj_cache_type_t type;
			int count;
		} g[8];
		int ng = 0, n = hwloc_get_nbobjs_by_type(topo, cache_types[t]);

		for (int i = 0; i < n; i++) {
			hwloc_obj_t obj = hwloc_get_obj_by_type(topo, cache_types[t], i);
			int j;

			for (j = 0; j < ng; j++)
				if (g[j].size == obj->attr->cache.size)
					break;
			if (j == ng) {
				if (ng == 8)
					continue;
				g[ng].size = obj->attr->cache.size;
				g[ng].depth = obj->attr->cache.depth;
				g[ng].type = obj->attr->cache.type;
				g[ng++].count = 0;
			}
			g[j].count++;
		}
		for (int j = 0; j < ng; j++)
			json_array_append_new(caches, cache_json(g[j].depth, g[j].type, g[j].size,
								 g[j].count));
	}
	json_object_set_new(o, "caches", caches);
	hwloc_topology_destroy(topo);
	return o;
#else
	return json_pack("{s:s}", "error", "built without hwloc");
#endif
}

static json_t *perf_json(void)
{
	struct perf_event_attr attr;
	char paranoid[32] = "?", reason[160];
	json_t *o = json_object();
	int fd;

	(void)hb_read_text("/proc/sys/kernel/perf_event_paranoid", paranoid, sizeof(paranoid));
	/* User-space only, so the answer is the one an unprivileged run would get too. */
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	json_object_set_new(o, "hardware_counters", json_boolean(fd >= 0));
	if (fd >= 0) {
		close(fd);
	} else {
		snprintf(reason, sizeof(reason), "%s; perf_event_paranoid=%s", strerror(errno),
			 paranoid);
		json_object_set_new(o, "reason", jstr(reason));
	}
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_PAGE_FAULTS;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	json_object_set_new(o, "software_counters", json_boolean(fd >= 0));
	if (fd >= 0)
		close(fd);
	else
		json_object_set_new(o, "software_reason", jstr(strerror(errno)));
	if (is_uint(paranoid) || (paranoid[0] == '-' && is_uint(paranoid + 1)))
		json_object_set_new(o, "perf_event_paranoid", json_integer(atoi(paranoid)));
	/* The default counter set, opened the way a cell opens it. */
	json_object_set_new(o, "counters", hb_counters_sysinfo());
	return o;
}

static json_t *cgroup_json(void)
{
	struct hb_cgroup_self self;
	char why[512] = "";

	if (hb_cgroup_self(&self, "", why, sizeof(why)) < 0 || !self.version)
		return json_pack("{s:i, s:o}", "version", 0, "reason", jstr(why));
	return json_pack("{s:i, s:o, s:o, s:o}", "version", self.version, "mount",
			 jstr(self.mount), "own", jstr(self.rel), "dir", jstr(self.dir));
}

/* Feature bit VIRTIO_BALLOON_F_REPORTING (5) of a bound virtio-balloon (device id 5). */
static int virtio_balloon_reporting(void)
{
	struct dirent **ents;
	char path[PATH_MAX], buf[256];
	int n = scandir(VIRTIO_DIR, &ents, no_dots, alphasort), found = 0;

	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (!found && !path_of(path, sizeof(path), VIRTIO_DIR "/%s/device", name) &&
		    !hb_read_text(path, buf, sizeof(buf)) && strtoul(buf, NULL, 0) == 5 &&
		    !path_of(path, sizeof(path), VIRTIO_DIR "/%s/features", name) &&
		    !hb_read_text(path, buf, sizeof(buf)))
			/* "features" is a string of '0'/'1', bit 0 first. */
			found = strlen(buf) > 5 && buf[5] == '1';
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return found;
}

static json_t *page_reporting_json(void)
{
	struct dirent **ents;
	char path[PATH_MAX], buf[256];
	json_t *o = json_object();
	int n = scandir(PAGE_REPORTING_DIR, &ents, no_dots, alphasort);

	json_object_set_new(o, "present", json_boolean(n >= 0));
	json_object_set_new(o, "virtio_balloon_reporting",
			    json_boolean(virtio_balloon_reporting()));
	for (int i = 0; i < n; i++) {
		if (!path_of(path, sizeof(path), PAGE_REPORTING_DIR "/%s", ents[i]->d_name) &&
		    !hb_read_text(path, buf, sizeof(buf)))
			json_object_set_new(o, ents[i]->d_name, jstr(buf));
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return o;
}

/* A "Key:   123 kB" line of /proc/meminfo in KiB; 0 when absent. */
static uint64_t meminfo_kib(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	uint64_t v = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoull(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

uint64_t hb_mem_available(void)
{
	return meminfo_kib("MemAvailable") * 1024;
}

json_t *hb_sysinfo_collect(void)
{
	struct hb_cpu_info cpu;
	struct utsname u;
	char host[256] = "";
	json_t *o = json_object();

	if (uname(&u) == 0)
		json_object_set_new(o, "kernel",
				    json_pack("{s:o, s:o, s:o}", "release", jstr(u.release),
					      "version", jstr(u.version), "machine",
					      jstr(u.machine)));
	if (gethostname(host, sizeof(host) - 1) == 0)
		json_object_set_new(o, "hostname", jstr(host));
	json_object_set_new(o, "thp", thp_json());
	json_object_set_new(o, "hugetlb", hugetlb_json());
	hb_cpu_info(&cpu);
	json_object_set_new(o, "cpu", cpu_json(&cpu));
	json_object_set_new(o, "topology", topology_json());
	json_object_set_new(o, "hypervisor",
			    json_pack("{s:b, s:o}", "present", cpu.hypervisor, "vendor",
				      cpu.hypervisor ? jstr(cpu.hv_vendor) : json_null()));
	json_object_set_new(o, "perf", perf_json());
	json_object_set_new(o, "root", json_boolean(geteuid() == 0));
	json_object_set_new(o, "cgroup", cgroup_json());
	json_object_set_new(o, "page_reporting", page_reporting_json());
	json_object_set_new(o, "memory",
			    json_pack("{s:I, s:I}", "mem_total_kib",
				      (json_int_t)meminfo_kib("MemTotal"), "mem_available_kib",
				      (json_int_t)meminfo_kib("MemAvailable")));
	return o;
}

/* ---- text ---- */

#define LABEL_W 17
#define LINE_W 100

/* One labelled line whose items wrap under the value column when they would pass LINE_W. */
struct pline {
	FILE *f;
	const char *sep;
	int col, items;
};

static void pl_start(struct pline *p, FILE *f, const char *label, const char *sep)
{
	fprintf(f, "%-*s", LABEL_W, label);
	p->f = f;
	p->sep = sep;
	p->col = LABEL_W;
	p->items = 0;
}

static void pl_item(struct pline *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pl_item(struct pline *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n, sl = (int)strlen(p->sep);

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (p->items && p->col + sl + n > LINE_W) {
		/* The separator's trailing blank would dangle at the end of the line. */
		fprintf(p->f, "%.*s\n%*s", p->sep[sl - 1] == ' ' ? sl - 1 : sl, p->sep, LABEL_W,
			"");
		p->col = LABEL_W;
	} else if (p->items) {
		fputs(p->sep, p->f);
		p->col += sl;
	}
	fputs(buf, p->f);
	p->col += n;
	p->items++;
}

static void pl_end(struct pline *p)
{
	fputc('\n', p->f);
}

/* 12582912 -> "12 MiB", 1536 -> "1.5 KiB". */
static void fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = 0;

	while (u < 5 && b >= (1ull << (10 * (u + 1))))
		u++;
	if (!u || b % (1ull << (10 * u)) == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(b >> (10 * u)), unit[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)b / (double)(1ull << (10 * u)), unit[u]);
}

static const char *js(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* For printing: a missing string shows as "?" (info may come from an older meta.json). */
static const char *jsq(json_t *o, const char *key)
{
	return js(o, key) ? js(o, key) : "?";
}

static long long ji(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* A value of any scalar type as text, for the generic knob lists. */
static void jtext(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, len, "?");
}

static void print_thp(json_t *thp, FILE *f)
{
	static const char *const first[] = { "enabled", "defrag", "shmem_enabled" };
	struct pline p;
	const char *key;
	json_t *v, *mthp = json_object_get(thp, "mthp");
	char buf[256];

	if (!json_is_object(thp)) {
		fprintf(f, "%-*snot available (no %s)\n", LABEL_W, "THP", THP_DIR);
		return;
	}
	pl_start(&p, f, "THP", " ");
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (js(thp, first[i]))
			pl_item(&p, "%s=%s", first[i], js(thp, first[i]));
	json_object_foreach(thp, key, v) {
		int shown = 0;

		for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
			shown |= !strcmp(key, first[i]);
		if (shown || json_is_object(v))
			continue;
		if (!strcmp(key, "hpage_pmd_size")) {
			fmt_bytes(json_integer_value(v), buf, sizeof(buf));
			/* "2 MiB" -> "2MiB": a blank would read as an item separator here */
			memmove(strchr(buf, ' '), strchr(buf, ' ') + 1, strlen(strchr(buf, ' ')));
			pl_item(&p, "pmd=%s", buf);
			continue;
		}
		jtext(v, buf, sizeof(buf));
		pl_item(&p, "%s=%s", key, buf);
	}
	pl_end(&p);

	if (json_object_size(json_object_get(thp, "khugepaged"))) {
		pl_start(&p, f, "khugepaged", " ");
		json_object_foreach(json_object_get(thp, "khugepaged"), key, v) {
			jtext(v, buf, sizeof(buf));
			pl_item(&p, "%s=%s", key, buf);
		}
		pl_end(&p);
	}
	if (json_object_size(mthp)) {
		pl_start(&p, f, "mTHP", " ");
		json_object_foreach(mthp, key, v) {
			/* Sizes that exist only for shmem have no anonymous "enabled". */
			if (js(v, "enabled"))
				pl_item(&p, "%s=%s", key, js(v, "enabled"));
		}
		pl_end(&p);
	}
}

static void print_hugetlb(json_t *a, FILE *f)
{
	struct pline p;
	size_t i;
	json_t *h;

	if (!json_is_array(a) || !json_array_size(a)) {
		fprintf(f, "%-*snot available (no %s)\n", LABEL_W, "hugetlb", HUGETLB_DIR);
		return;
	}
	pl_start(&p, f, "hugetlb", "; ");
	json_array_foreach(a, i, h) {
		char extra[96] = "";

		if (ji(h, "resv_hugepages") || ji(h, "surplus_hugepages"))
			snprintf(extra, sizeof(extra), ", %lld reserved, %lld surplus",
				 ji(h, "resv_hugepages"), ji(h, "surplus_hugepages"));
		pl_item(&p, "%lldkB: %lld total, %lld free%s", ji(h, "page_kib"),
			ji(h, "nr_hugepages"), ji(h, "free_hugepages"), extra);
	}
	pl_end(&p);
}

static void print_cpu(json_t *cpu, FILE *f)
{
	json_t *tlb = json_object_get(cpu, "tlb");
	static const char *const lv[] = { "l1d", "l2" }, *const lvname[] = { "L1", "L2" };
	static const char *const ps[] = { "4k", "2m", "1g" };
	static const char *const psname[] = { "4K", "2M", "1G" };
	struct pline p;
	char buf[64];

	fprintf(f, "%-*s%s (%s family %lld model %lld stepping %lld), %lld CPUs online\n",
		LABEL_W, "CPU", jsq(cpu, "model"),
		jsq(cpu, "vendor"), ji(cpu, "family"),
		ji(cpu, "model_id"), ji(cpu, "stepping"), ji(cpu, "online_cpus"));
	if (!json_is_true(json_object_get(tlb, "known"))) {
		fprintf(f, "%-*snot described by cpuid\n", LABEL_W, "dTLB");
		return;
	}
	pl_start(&p, f, "dTLB", "; ");
	for (int l = 0; l < 2; l++) {
		json_t *o = json_object_get(tlb, lv[l]);
		char items[128];
		int n = 0;

		items[0] = '\0';
		for (int s = 0; s < 3; s++)
			if (ji(o, ps[s]))
				n += snprintf(items + n, sizeof(items) - n, "%s%lld x %s",
					      n ? ", " : "", ji(o, ps[s]), psname[s]);
		if (n)
			pl_item(&p, "%s %s", lvname[l], items);
	}
	{
		char reach[160] = "reach";
		int n = 5;

		for (int s = 0; s < 3; s++) {
			char key[32];

			snprintf(key, sizeof(key), "reach_%s_bytes", ps[s]);
			if (ji(tlb, key)) {
				fmt_bytes(ji(tlb, key), buf, sizeof(buf));
				n += snprintf(reach + n, sizeof(reach) - n, "%s %s %s",
					      n > 5 ? "," : "", psname[s], buf);
			}
		}
		if (n > 5)
			pl_item(&p, "%s", reach);
	}
	pl_end(&p);
}

static void print_topology(json_t *t, FILE *f)
{
	struct pline p;
	size_t i;
	json_t *c;
	char buf[64];

	if (js(t, "error")) {
		fprintf(f, "%-*snot available (%s)\n", LABEL_W, "topology", js(t, "error"));
		return;
	}
	pl_start(&p, f, "topology", "; ");
	pl_item(&p, "%lld package%s, %lld core%s, %lld PU%s, %lld NUMA node%s", ji(t, "packages"),
		ji(t, "packages") == 1 ? "" : "s", ji(t, "cores"), ji(t, "cores") == 1 ? "" : "s",
		ji(t, "pus"), ji(t, "pus") == 1 ? "" : "s", ji(t, "numa_nodes"),
		ji(t, "numa_nodes") == 1 ? "" : "s");
	json_array_foreach(json_object_get(t, "caches"), i, c) {
		const char *type = js(c, "type");

		fmt_bytes(ji(c, "size_bytes"), buf, sizeof(buf));
		pl_item(&p, "L%lld%s %s x%lld", ji(c, "level"),
			!type || !strcmp(type, "unified") ? "" : !strcmp(type, "data") ? "d" : "i",
			buf, ji(c, "count"));
	}
	pl_end(&p);
}

/* Which counters of the default set a cell gets here; unavailable ones grouped by reason. */
static void print_counters(json_t *c, FILE *f)
{
	json_t *ev = json_object_get(c, "events"), *e, *o;
	const char *why[HB_CTR_MAX], *key;
	struct pline p;
	size_t i, nwhy = 0;

	if (!c)
		return;
	pl_start(&p, f, "counters", " ");
	pl_item(&p, "default set %s (libpfm4 PMU %s%s):", jsq(c, "default_set"),
		js(c, "pmu") ? js(c, "pmu") : "none",
		json_is_true(json_object_get(c, "libpfm")) ? "" : ", libpfm4 not built in");
	pl_item(&p, "%lld of %zu available%s", ji(c, "available"), json_array_size(ev),
		ji(c, "available") ? ":" : "");
	json_array_foreach(ev, i, e) {
		if (json_is_true(json_object_get(e, "available")))
			pl_item(&p, "%s", js(e, "name"));
	}
	pl_end(&p);
	json_array_foreach(ev, i, e) {
		const char *r = js(e, "reason");
		size_t k;

		if (!r)
			continue;
		for (k = 0; k < nwhy && strcmp(why[k], r); k++)
			;
		if (k < nwhy || nwhy == HB_CTR_MAX)
			continue;
		why[nwhy++] = r;
		pl_start(&p, f, "", " ");
		pl_item(&p, "unavailable:");
		json_array_foreach(ev, k, o) {
			if (js(o, "reason") && !strcmp(js(o, "reason"), r))
				pl_item(&p, "%s", js(o, "name"));
		}
		pl_item(&p, "-");
		{
			char copy[HB_CTR_WHY], *save = NULL;

			/* Word by word, so the reason wraps under the value column. */
			snprintf(copy, sizeof(copy), "%s", r);
			for (char *w = strtok_r(copy, " ", &save); w;
			     w = strtok_r(NULL, " ", &save))
				pl_item(&p, "%s", w);
		}
		pl_end(&p);
	}
	pl_start(&p, f, "dTLB metrics", "; ");
	json_object_foreach(json_object_get(c, "metrics"), key, o)
		pl_item(&p, "%s %s", key, json_is_true(o) ? "yes" : "no");
	pl_end(&p);
}

static void print_perf(json_t *perf, FILE *f)
{
	struct pline p;

	pl_start(&p, f, "perf counters", "; ");
	if (json_is_true(json_object_get(perf, "hardware_counters")))
		pl_item(&p, "hardware: available");
	else
		pl_item(&p, "hardware: not available (%s)",
			jsq(perf, "reason"));
	if (json_is_true(json_object_get(perf, "software_counters")))
		pl_item(&p, "software: available");
	else
		pl_item(&p, "software: not available (%s)",
			jsq(perf, "software_reason"));
	pl_end(&p);
	print_counters(json_object_get(perf, "counters"), f);
}

static void print_page_reporting(json_t *pr, FILE *f)
{
	struct pline p;
	const char *key;
	json_t *v;

	if (!json_is_true(json_object_get(pr, "present"))) {
		fprintf(f, "%-*snot built in\n", LABEL_W, "page reporting");
		return;
	}
	/* Active means memory we free goes back to the host: re-touching it faults again. */
	pl_start(&p, f, "page reporting", " ");
	pl_item(&p, "%s",
		json_is_true(json_object_get(pr, "virtio_balloon_reporting"))
			? "active (virtio-balloon);"
			: "present, no reporting device seen;");
	json_object_foreach(pr, key, v) {
		if (json_is_string(v))
			pl_item(&p, "%s=%s", key, json_string_value(v));
	}
	pl_end(&p);
}

void hb_sysinfo_print(const json_t *info, FILE *f)
{
	/* jansson's iterators take non-const objects; nothing here modifies them. */
	json_t *o = (json_t *)info, *k = json_object_get(o, "kernel"), *cg, *mem;
	char a[64], b[64];

	if (k)
		fprintf(f, "%-*s%s %s %s\n", LABEL_W, "kernel", jsq(k, "release"),
			jsq(k, "version"), jsq(k, "machine"));
	if (js(o, "hostname"))
		fprintf(f, "%-*s%s\n", LABEL_W, "hostname", js(o, "hostname"));
	print_thp(json_object_get(o, "thp"), f);
	print_hugetlb(json_object_get(o, "hugetlb"), f);
	print_cpu(json_object_get(o, "cpu"), f);
	print_topology(json_object_get(o, "topology"), f);
	k = json_object_get(o, "hypervisor");
	fprintf(f, "%-*s%s\n", LABEL_W, "hypervisor",
		!json_is_true(json_object_get(k, "present")) ? "none (bare metal)"
		: js(k, "vendor")			      ? js(k, "vendor")
							      : "present");
	print_perf(json_object_get(o, "perf"), f);
	fprintf(f, "%-*s%s\n", LABEL_W, "root",
		json_is_true(json_object_get(o, "root")) ? "yes" : "no (knob changes are skipped)");
	cg = json_object_get(o, "cgroup");
	if (ji(cg, "version"))
		fprintf(f, "%-*sv%lld at %s, ours %s\n", LABEL_W, "memory cgroup",
			ji(cg, "version"), jsq(cg, "mount"), jsq(cg, "own"));
	else
		fprintf(f, "%-*snone (%s)\n", LABEL_W, "memory cgroup",
			jsq(cg, "reason"));
	mem = json_object_get(o, "memory");
	fmt_bytes((uint64_t)ji(mem, "mem_total_kib") * 1024, a, sizeof(a));
	fmt_bytes((uint64_t)ji(mem, "mem_available_kib") * 1024, b, sizeof(b));
	fprintf(f, "%-*s%s total, %s available\n", LABEL_W, "memory", a, b);
	print_page_reporting(json_object_get(o, "page_reporting"), f);
}

/*
 * The largest data or unified cache one CPU sees, from sysfs: one instance's size (glibc's
 * sysconf(_SC_LEVEL3_CACHE_SIZE) can report the whole package, e.g. 320 MiB for ten 32 MiB
 * L3s on an EPYC guest).
 */
uint64_t hb_llc_bytes(void)
{
	uint64_t best = 0;
	int best_level = 0;

	for (int i = 0; i < 16; i++) {
		char path[96], type[32] = "";
		unsigned long long kib = 0;
		int level = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		f = fopen(path, "r");
		if (!f)
			break;
		if (fscanf(f, "%31s", type) != 1)
			type[0] = 0;
		fclose(f);
		if (!strcmp(type, "Instruction"))
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &level) != 1)
				level = 0;
			fclose(f);
		}
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%lluK", &kib) != 1)
				kib = 0;
			fclose(f);
		}
		if (kib && level >= best_level) {
			best_level = level;
			best = kib << 10;
		}
	}
	return best;
}
