/*
 * What the machine is: kernel, THP/mTHP/hugetlb state, CPU and TLB sizes, topology, whether
 * hardware counters exist, cgroup and free-page reporting. Everything here only reads: the
 * knobs module is the one place that writes machine state.
 */
/* With configure, config.h comes in by -include (Makefile.am). */
#if !defined(HAVE_CONFIG_H) && defined(__has_include)
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
#include "hypervisor.h"
#include "knobs.h"
#include "sysinfo.h"
#include "readfile.h"

#define PAGE_REPORTING_DIR "/sys/module/page_reporting/parameters"
#define VIRTIO_DIR "/sys/bus/virtio/devices"

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
	json_t *thp = dir_values(HB_THP_DIR, NULL), *mthp;
	int n;

	if (!thp)
		return json_null();
	json_object_set_new(thp, "khugepaged", dir_values(HB_THP_DIR "/khugepaged", NULL));
	n = scandir(HB_THP_DIR, &ents, no_dots, by_size);
	if (n < 0)
		return thp;
	mthp = json_object();
	for (int i = 0; i < n; i++) {
		if (!strncmp(ents[i]->d_name, "hugepages-", 10) && is_dir(HB_THP_DIR, ents[i]) &&
		    !path_of(path, sizeof(path), HB_THP_DIR "/%s", ents[i]->d_name) &&
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
	int n = scandir(HB_HUGETLB_DIR, &ents, no_dots, by_size);

	if (n < 0)
		return json_null();
	a = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "page_kib", json_integer(size_of_name(ents[i]->d_name)));
		for (size_t j = 0; j < sizeof(files) / sizeof(files[0]); j++) {
			json_t *v;

			if (!path_of(path, sizeof(path), HB_HUGETLB_DIR "/%s/%s", ents[i]->d_name,
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

/*
 * What a hugebench run that did not finish left changed, as the state file lists it: each
 * knob's value now and the one it had ("was"). Empty when nothing is left (as root, main()
 * has restored it before sysinfo runs). A value listed here is the crashed run's, not the
 * machine's own setting.
 */
static json_t *left_changed_json(void)
{
	struct hb_knobs *k = malloc(sizeof(*k));
	char path[PATH_MAX], now[64];
	json_t *a = json_array();
	long pid = 0;

	if (!k)
		return a;
	hb_knobs_root_state_path(path, sizeof(path));
	hb_knobs_init(k, "", path);
	if (hb_knobs_peek(k, &pid) == 1) {
		for (unsigned i = 0; i < k->n; i++) {
			const struct hb_knob_saved *s = &k->saved[i];

			if (s->is_dir)
				continue;
			json_array_append_new(
				a, json_pack("{s:s, s:o, s:s, s:I}", "path", s->path, "now",
					     hb_knob_read(k, s->path, now, sizeof(now)) ?
						     json_null() : jstr(now),
					     "was", s->value, "pid", (json_int_t)pid));
		}
	}
	free(k);
	return a;
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
	json_object_set_new(o, "left_by_crashed_run", left_changed_json());
	hb_cpu_info(&cpu);
	json_object_set_new(o, "cpu", cpu_json(&cpu));
	json_object_set_new(o, "topology", topology_json());
	/* One LLC instance, as sysfs gives it: what a cross-cell analysis reads (the knee's
	 * memory plateau) from the run's record instead of from the machine. */
	json_object_set_new(json_object_get(o, "topology"), "llc_bytes",
			    json_integer((json_int_t)hb_llc_bytes()));
	json_object_set_new(o, "hypervisor",
			    json_pack("{s:b, s:o, s:s}", "present", cpu.hypervisor, "vendor",
				      cpu.hypervisor ? jstr(cpu.hv_vendor) : json_null(), "name",
				      hb_hypervisor_name(cpu.hypervisor ? cpu.hv_vendor : NULL)));
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
