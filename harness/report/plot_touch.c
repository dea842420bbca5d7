/* Charts of the touch workload: time per touched page per backing. */
#include <stdio.h>

#include "plot.h"

void hb_plot_touch(struct hb_plot *p)
{
	const char *sets[HB_MAX_LIST], *labels[HB_MAX_LIST];
	static char lab[HB_MAX_LIST][128];
	size_t n;

	if (!hb_rundata_has(p->d, "touch"))
		return;
	n = hb_rundata_params(p->d, "touch", sets, HB_MAX_LIST);
	for (size_t i = 0; i < n; i++) {
		hb_params_label(sets, n, i, lab[i], sizeof(lab[i]));
		labels[i] = lab[i];
	}
	hb_plot_bars(p, "touch", "touch_ns", "ns_per_touch", "touch: time per touched page",
		     "ns per touch (median, min-max over reps)", 0, sets, labels, n,
		     "Walk over the populated region, one load per stride: lower is better.");
}
