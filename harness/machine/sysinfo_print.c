/* `hugebench sysinfo` as text: the JSON of hb_sysinfo_collect (or a run's meta.json, which
 * may come from an older hugebench, so every field may be missing) laid out for a terminal. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "sysinfo.h"

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
		fprintf(f, "%-*snot available (no %s)\n", LABEL_W, "THP", HB_THP_DIR);
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
		fprintf(f, "%-*snot available (no %s)\n", LABEL_W, "hugetlb", HB_HUGETLB_DIR);
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

/* Settings a crashed run left: the values above are the run's, not the machine's own. */
static void print_left_changed(json_t *a, FILE *f)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		fprintf(f, "%-*s%s=%s (left by a crashed hugebench run pid %lld: was %s); "
			"`sudo hugebench restore` puts it back\n", LABEL_W, i ? "" : "LEFT CHANGED",
			jsq(v, "path"), jsq(v, "now"), ji(v, "pid"), jsq(v, "was"));
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
	print_left_changed(json_object_get(o, "left_by_crashed_run"), f);
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

