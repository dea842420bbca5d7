/* The fit check (fit.h) and hb_matrix_check_fit (matrix.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fit.h"
#include "fragmenter.h"
#include "log.h"
#include "matrix.h"
#include "readfile.h"
#include "sysinfo.h"
#include "units.h"

/* Only this share of MemAvailable may be used: the rest is the machine's (and the harness's). */
static int fits_available(uint64_t need, uint64_t avail)
{
	return !avail || need <= avail / 10 * 9;
}

int hb_fit_cell(const struct hb_workload *w, const void *params, const char *params_text,
		const struct hb_backing *bk, uint64_t need, const struct hb_fit_avail *av,
		char *why, size_t len)
{
	char a[32], b[32], hint[512] = "";
	int n;

	hb_format_size(need, a, sizeof(a));
	hb_format_size(av->mem_available & ~1023ull, b, sizeof(b));
	if (w->needs && w->needs->fit_hint) {
		hint[0] = ';';
		hint[1] = ' ';
		w->needs->fit_hint(params, hint + 2, sizeof(hint) - 2);
		if (!hint[2])
			hint[0] = 0;
	}
	if (bk->ops->pool_pages) { /* a backing with a reserved pool */
		uint64_t pages = hb_backing_pool_pages(bk, need);
		uint64_t can =
		    av->hugetlb_free + (av->root ? av->mem_available / bk->page_size : 0);

		if (pages <= can)
			return 0;
		n = snprintf(why, len,
			     "%s %s needs %llu hugetlb pages of %llu KiB for %s; the pool "
			     "can give at most %llu here (free %llu, MemAvailable %s)",
			     w->name, bk->name, (unsigned long long)pages,
			     (unsigned long long)(bk->page_size >> 10), a, (unsigned long long)can,
			     (unsigned long long)av->hugetlb_free, b);
	} else {
		if (fits_available(need, av->mem_available))
			return 0;
		n = snprintf(why, len,
			     "%s %s: a cell needs %s but MemAvailable is %s (at most 90%% "
			     "of it may be used); parameters: %s",
			     w->name, bk->name, a, b, params_text ? params_text : "");
	}
	if (n >= 0 && (size_t)n < len)
		snprintf(why + n, len - (size_t)n, "%s", hint);
	return -ENOMEM;
}

static uint64_t free_hugetlb_pages(uint64_t page_size)
{
	char path[160];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/free_hugepages",
		 (unsigned long long)(page_size >> 10));
	return hb_read_u64(path, &v) ? 0 : v;
}

int hb_matrix_check_fit(const struct hb_matrix *m)
{
	struct hb_fit_avail av = {.mem_available = hb_mem_available(), .root = geteuid() == 0};
	char why[1024];

	for (size_t i = 0; i < m->n; i++) {
		const struct hb_matrix_entry *e = &m->e[i];
		uint64_t need = e->w->needs->memory_needed(e->params);
		double age = hb_frag_param_share(e->w->params, e->params);

		for (int j = 0; j < e->nbackings; j++) {
			const struct hb_backing *bk = &e->backings[j];
			char buf[256];

			/* A backing that cannot run here (no root, no pool) is a skipped cell
			 * with its reason, as thp-always without root is: nothing to fit. */
			if (hb_backing_unsupported(bk, buf, sizeof(buf)))
				continue;
			av.hugetlb_free =
			    bk->ops->pool_pages ? free_hugetlb_pages(bk->page_size) : 0;
			if (hb_fit_cell(e->w, e->params, e->params_text, bk, need, &av, why,
					sizeof(why))) {
				hb_err("%s", why);
				return -ENOMEM;
			}
			/* An aged cell keeps its need + the reserve free (fragmenter.h). */
			if (age > 0 && av.mem_available &&
			    hb_frag_check(age, need, av.mem_available, why, sizeof(why))) {
				hb_err("%s %s: %s", e->w->name, e->params_text, why);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

#define NS_PER_S 1000000000ull
#define GIB (1ull << 30)
#define MIB (1ull << 20)

/* "64 MiB", "1316 MiB": sizes in the bounds' notes, rounded up. */
static void mib_text(uint64_t bytes, char *buf, size_t len)
{
	snprintf(buf, len, "%llu MiB", (unsigned long long)((bytes + MIB - 1) / MIB));
}

uint64_t hb_cell_timeout_default(const struct hb_workload *w, const void *params, char *from,
				 size_t len)
{
	uint64_t durations = 0, need = w->needs->memory_needed(params), populate, total;
	char names[160] = "", sz[32];
	size_t off = 0;

	for (const struct hb_param *p = w->params; p->name; p++) {
		uint64_t v;

		if (p->type != HB_PT_DURATION)
			continue;
		memcpy(&v, (const char *)params + p->offset, sizeof(v));
		durations += v;
		if (off < sizeof(names))
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
						off ? "+" : "", p->name);
	}
	/* ns per GiB, in two steps so that a size of terabytes cannot overflow */
	populate = need / GIB * HB_TIMEOUT_S_PER_GIB * NS_PER_S +
		   need % GIB * HB_TIMEOUT_S_PER_GIB * (NS_PER_S / 1000) / (GIB / 1000);
	total = HB_TIMEOUT_FLOOR_S * NS_PER_S + 2 * durations + populate;
	total = (total + NS_PER_S - 1) / NS_PER_S * NS_PER_S;
	mib_text(need, sz, sizeof(sz));
	if (from)
		snprintf(from, len, "the default: %d s floor + 2 x %.1f s of duration parameters%s%s%s"
			 " + %.1f s populate allowance for %s (%d s/GiB)", HB_TIMEOUT_FLOOR_S,
			 (double)durations / 1e9, names[0] ? " (" : "", names, names[0] ? ")" : "",
			 (double)populate / 1e9, sz, HB_TIMEOUT_S_PER_GIB);
	return total;
}

uint64_t hb_cell_memory_limit(const struct hb_workload *w, const void *params,
			      const struct hb_backing *bk, char *from, size_t len)
{
	const char *test = getenv("HB_TEST_MEMLIMIT_KIB");
	uint64_t need = w->needs->memory_needed(params), charged = need, limit;
	char sz[32];

	if (test && *test) {
		char *end;
		unsigned long long kib = strtoull(test, &end, 10);

		if (!*end && kib) {
			if (from)
				snprintf(from, len, "HB_TEST_MEMLIMIT_KIB=%llu (test only)", kib);
			return (uint64_t)kib * 1024;
		}
	}
	if (bk->ops->pool_pages && !w->needs->process_memory)
		charged = 0; /* the region comes from the hugetlb pool: not charged */
	limit = charged + charged / 4 + HB_LIMIT_MARGIN_MIB * MIB;
	limit = (limit + MIB - 1) / MIB * MIB;
	mib_text(need, sz, sizeof(sz));
	if (from)
		snprintf(from, len, "%s%s + 25%% + %d MiB", charged ? "memory_needed " : "",
			 charged ? sz : "hugetlb (not charged) 0", HB_LIMIT_MARGIN_MIB);
	return limit;
}

uint64_t hb_matrix_cell_timeout(const struct hb_matrix *m, const struct hb_matrix_entry *e,
				char *from, size_t len)
{
	if (m->cell_timeout_set == HB_TIMEOUT_FROM_OPTION || !e->cell_timeout_set) {
		if (m->cell_timeout_set) {
			snprintf(from, len, "%s", m->cell_timeout_set == HB_TIMEOUT_FROM_OPTION ?
				 "--cell-timeout" : "the profile's [bench] cell_timeout");
			return m->cell_timeout_ns;
		}
		return hb_cell_timeout_default(e->w, e->params, from, len);
	}
	snprintf(from, len, "the profile's [%s] cell_timeout", e->label);
	return e->cell_timeout_ns;
}

void hb_matrix_log_timeouts(const struct hb_matrix *m)
{
	char from[320], last[400] = "", line[400];

	for (size_t i = 0; i < m->n; i++) {
		uint64_t ns = hb_matrix_cell_timeout(m, &m->e[i], from, sizeof(from));

		if (ns)
			snprintf(line, sizeof(line), "cell timeout of %s: %llu s (%s)",
				 m->e[i].w->name, (unsigned long long)(ns / NS_PER_S), from);
		else
			snprintf(line, sizeof(line), "cell timeout of %s: none (0 from %s)",
				 m->e[i].w->name, from);
		/* A sweep's entries mostly share one: said once. */
		if (strcmp(line, last))
			hb_info("%s", line);
		snprintf(last, sizeof(last), "%s", line);
	}
}
