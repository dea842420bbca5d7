/* Every declared chart of every workload with rows in the run, each by its kind
 * (chart_<kind>.c). */
#include "chart.h"

void hb_charts_draw(struct hb_plot *p)
{
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const struct hb_outputs *o = hb_workload_outputs(w);

		if (!o || !o->charts || !hb_rundata_has(p->d, w->name))
			continue;
		for (const struct hb_chart_def *c = o->charts; c->kind; c++) {
			switch (c->kind) {
			case HB_CHART_BARS:
				(void)hb_chart_bars(p, w, c);
				break;
			case HB_CHART_SWEEP:
				(void)hb_chart_sweep(p, w, c);
				break;
			case HB_CHART_PERCENTILES:
				(void)hb_chart_percentiles(p, w, c);
				break;
			case HB_CHART_SERIES:
				(void)hb_chart_series(p, w, c);
				break;
			case HB_CHART_OVERLAY:
				(void)hb_chart_overlay(p, w, c);
				break;
			}
		}
	}
}
