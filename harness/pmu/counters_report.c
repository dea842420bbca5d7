/*
 * Counters as result rows: every counted event as pmu:<name>, scaled when the kernel
 * multiplexed it, and the dTLB metrics derived from the default set's roles. A figure that
 * was not counted is a row with no value and the reason, never 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

/* A running/enabled share under this means the count is mostly extrapolated. */
#define LOW_RATIO 0.5

struct sum {
	int found;	 /* events with this role */
	const char *why; /* first reason one of them was not counted */
	double value;
	double ratio;	 /* lowest */
};

static const char *never_why(const struct hb_counter *c)
{
	if (!c->enabled)
		return "never enabled: the workload ran no phase (hb_phase_begin)";
	return "never scheduled on the PMU (running time 0): other users hold the counters, "
	       "e.g. the NMI watchdog (sysctl kernel.nmi_watchdog=0)";
}

static struct sum role_sum(const struct hb_counters *cs, unsigned role)
{
	struct sum s = { .ratio = 1 };

	for (int i = 0; i < cs->n; i++) {
		const struct hb_counter *c = &cs->c[i];
		double v, r;

		if (!(c->roles & role))
			continue;
		s.found++;
		if (c->err) {
			if (!s.why)
				s.why = c->why;
			continue;
		}
		if (hb_counter_scale(c->value, c->enabled, c->running, &v, &r)) {
			if (!s.why)
				s.why = never_why(c);
			continue;
		}
		s.value += v;
		if (r < s.ratio)
			s.ratio = r;
	}
	return s;
}

/* how: 1 one hardware group, 0 hardware counted alone, -1 software */
static int role_err(const struct hb_counters *cs, unsigned role)
{
	for (int i = 0; i < cs->n; i++)
		if ((cs->c[i].roles & role) && cs->c[i].err)
			return 1;
	return 0;
}

static void ratio_note(char *buf, size_t len, const char *what, double ratio, int how)
{
	snprintf(buf, len, "%s; user space, measured phases only; %s; running/enabled %.3f%s",
		 what, how > 0 ? "one counter group" : how < 0 ? "software event" :
		 "counted alone (the kernel multiplexes)", ratio,
		 ratio < LOW_RATIO ? "; LOW RATIO: mostly extrapolated by scaling, an estimate" :
				     ratio < 1 ? "; scaled" : "");
}

static const char *missing_why(const struct hb_counters *cs, const char *what, char *buf,
			       size_t len)
{
	snprintf(buf, len, "no event for %s among the counted ones (default set of PMU %s%s)",
		 what, cs->pmu[0] ? cs->pmu : "none",
		 cs->pmu[0] && !hb_ctr_table_for(cs->pmu) ? ", generic perf events" : "");
	return buf;
}

/* A derived metric from the sum of one role. */
static int emit_role(const struct hb_counters *cs, unsigned role, const char *metric,
		     const char *unit, const char *what, hb_ctr_emit_fn emit, void *arg,
		     struct sum *out)
{
	char note[512], buf[256];

	*out = role_sum(cs, role);
	if (!out->found) {
		emit(arg, metric, NULL, unit, missing_why(cs, what, buf, sizeof(buf)));
		return -ENOENT;
	}
	if (out->why) {
		emit(arg, metric, NULL, unit, out->why);
		return -ENODATA;
	}
	ratio_note(note, sizeof(note), what, out->ratio, cs->grouped);
	emit(arg, metric, &out->value, unit, note);
	return 0;
}

void hb_counters_report(const struct hb_counters *cs, uint64_t accesses, hb_ctr_emit_fn emit,
			void *arg)
{
	struct sum miss, walk, wcyc, cyc;
	char metric[160], note[512];
	int miss_ok, wcyc_ok, cyc_ok;
	double v, r;

	for (int i = 0; i < cs->n; i++) {
		const struct hb_counter *c = &cs->c[i];

		snprintf(metric, sizeof(metric), "pmu:%s", c->name);
		if (c->err) {
			emit(arg, metric, NULL, "events", c->why);
			continue;
		}
		if (hb_counter_scale(c->value, c->enabled, c->running, &v, &r)) {
			emit(arg, metric, NULL, "events", never_why(c));
			continue;
		}
		snprintf(note, sizeof(note), "raw %llu", (unsigned long long)c->value);
		ratio_note(note + strlen(note), sizeof(note) - strlen(note), "", r,
			   !c->hardware ? -1 : cs->grouped);
		emit(arg, metric, &v, "events", note);
	}
	miss_ok = emit_role(cs, HB_ROLE_DTLB_MISS, "dtlb_load_misses", "misses",
			    "first-level dTLB misses", emit, arg, &miss) == 0;
	emit_role(cs, HB_ROLE_DTLB_WALK, "dtlb_walks_completed", "walks",
		  "page walks (misses of every dTLB level)", emit, arg, &walk);
	wcyc_ok = emit_role(cs, HB_ROLE_WALK_CYCLES, "dtlb_walk_cycles", "cycles",
			    "cycles with a data page walk active", emit, arg, &wcyc) == 0;
	cyc = role_sum(cs, HB_ROLE_CYCLES);
	cyc_ok = cyc.found && !cyc.why && cyc.value > 0;

	if (!miss_ok)
		emit(arg, "dtlb_misses_per_kilo_access", NULL, "per 1000",
		     "dtlb_load_misses is unavailable (see its row)");
	else if (!accesses)
		emit(arg, "dtlb_misses_per_kilo_access", NULL, "per 1000",
		     "the workload did not count its memory accesses (hb_count_accesses)");
	else {
		v = miss.value * 1000.0 / (double)accesses;
		emit(arg, "dtlb_misses_per_kilo_access", &v, "per 1000",
		     "dtlb_load_misses * 1000 / accesses (the workload's own count)");
	}
	if (!wcyc_ok)
		emit(arg, "walk_cycles_pct", NULL, "%",
		     "dtlb_walk_cycles is unavailable (see its row)");
	else if (!cyc_ok)
		emit(arg, "walk_cycles_pct", NULL, "%",
		     cyc.why ? cyc.why : "no cycles counter among the counted events");
	else {
		v = 100.0 * wcyc.value / cyc.value;
		emit(arg, "walk_cycles_pct", &v, "%",
		     cs->grouped ? "dtlb_walk_cycles / cycles, one counter group" :
				   "dtlb_walk_cycles / cycles, each scaled alone (multiplexed)");
	}
}

json_t *hb_counters_sysinfo(void)
{
	struct hb_counters *cs = calloc(1, sizeof(*cs));
	json_t *o = json_object(), *ev = json_array();
	const struct hb_ctr_table *t;
	char err[256];
	int avail = 0;

#ifndef HAVE_LIBPFM
	json_object_set_new(o, "libpfm", json_false());
#else
	json_object_set_new(o, "libpfm", json_true());
#endif
	if (!cs || hb_counters_init(cs, NULL, err, sizeof(err))) {
		json_object_set_new(o, "error", json_string(cs ? err : "out of memory"));
		json_decref(ev);
		free(cs);
		return o;
	}
	t = cs->pmu[0] ? hb_ctr_table_for(cs->pmu) : NULL;
	json_object_set_new(o, "pmu", cs->pmu[0] ? json_string(cs->pmu) : json_null());
	json_object_set_new(o, "default_set", json_string(t ? t->desc : "generic perf events"));
	hb_counters_open(cs);
	for (int i = 0; i < cs->n; i++) {
		const struct hb_counter *c = &cs->c[i];
		json_t *e = json_pack("{s:s, s:b}", "name", c->name, "available", !c->err);

		if (c->err)
			json_object_set_new(e, "reason", json_string(c->why));
		avail += !c->err;
		json_array_append_new(ev, e);
	}
	{
		static const struct {
			const char *metric;
			unsigned role;
		} m[] = { { "dtlb_load_misses", HB_ROLE_DTLB_MISS },
			  { "dtlb_walks_completed", HB_ROLE_DTLB_WALK },
			  { "dtlb_walk_cycles", HB_ROLE_WALK_CYCLES },
			  { "walk_cycles_pct", HB_ROLE_WALK_CYCLES | HB_ROLE_CYCLES } };
		json_t *mo = json_object();

		/* A metric is there when every event it sums opened (and it has events). */
		for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
			int ok = 1;

			for (unsigned bit = 1; bit <= HB_ROLE_WALK_CYCLES; bit <<= 1) {
				struct sum s;

				if (!(m[k].role & bit))
					continue;
				s = role_sum(cs, bit);
				ok &= s.found && !role_err(cs, bit);
			}
			json_object_set_new(mo, m[k].metric, json_boolean(ok));
		}
		json_object_set_new(o, "metrics", mo);
	}
	json_object_set_new(o, "grouped", json_boolean(cs->grouped));
	json_object_set_new(o, "available", json_integer(avail));
	json_object_set_new(o, "events", ev);
	hb_counters_close(cs);
	free(cs);
	return o;
}
