/* The fit check (fit.h) and hb_matrix_check_fit (matrix.h). */
#include <errno.h>
#include <stdio.h>
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
	if (w->fit_hint) {
		hint[0] = ';';
		hint[1] = ' ';
		w->fit_hint(params, hint + 2, sizeof(hint) - 2);
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
		uint64_t need = e->w->memory_needed(e->params);
		double age = hb_frag_param_share(e->w->params, e->params);

		for (int j = 0; j < e->nbackings; j++) {
			const struct hb_backing *bk = &e->backings[j];

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
