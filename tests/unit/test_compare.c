/* compare's rule for one figure (decide.c) and its join of two runs (compare.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "noise.h"

static void side(struct hb_cmp_side *s, const double *v, size_t n)
{
	double tmp[256];

	memset(s, 0, sizeof(*s));
	memcpy(s->v, v, n * sizeof(*v));
	memcpy(tmp, v, n * sizeof(*v));
	s->n = n;
	if (n)
		hb_stats_of(tmp, n, &s->st);
}

static struct hb_cmp_line line(const double *b, size_t nb, const double *n, size_t nn,
			       enum hb_better better, enum hb_metric_kind kind)
{
	struct hb_cmp_line l = { .better = better, .kind = kind };

	l.threshold_pct = hb_cmp_default_threshold(kind);
	side(&l.base, b, nb);
	side(&l.new, n, nn);
	hb_cmp_decide(&l);
	return l;
}

static void test_threshold_same(void **state)
{
	double b[] = { 100, 101, 99 }, n[] = { 103, 104, 102 };
	struct hb_cmp_line l = line(b, 3, n, 3, HB_LOWER, HB_KIND_TIME);

	(void)state;
	/* +3% with ranges apart: inside the 5% of a time, so same */
	assert_int_equal(l.verdict, HB_CMP_SAME);
	assert_string_equal(l.test, "threshold");
	assert_true(fabs(l.change_pct - 3) < 1e-9);
	/* the same +3% of a memory figure (1%) counts */
	l = line(b, 3, n, 3, HB_LOWER, HB_KIND_MEMORY);
	assert_int_equal(l.verdict, HB_CMP_WORSE);
	assert_string_equal(l.test, "ranges");
}

static void test_u_test_decides(void **state)
{
	double b[] = { 100, 102, 98, 101, 99 }, n[] = { 130, 128, 133, 131, 129 };
	double mixed[] = { 97, 99, 131, 135, 140 };
	struct hb_cmp_line l = line(b, 5, n, 5, HB_LOWER, HB_KIND_TIME);

	(void)state;
	assert_int_equal(l.verdict, HB_CMP_WORSE);
	assert_string_equal(l.test, "U test");
	assert_true(fabs(l.p - 2.0 / 252) < 1e-12);
	/* higher is better: the same change is better */
	l = line(b, 5, n, 5, HB_HIGHER, HB_KIND_RATE);
	assert_int_equal(l.verdict, HB_CMP_BETTER);
	/* a median 30% up, but the new side straddles the base: inside the noise, never worse */
	l = line(b, 5, mixed, 5, HB_LOWER, HB_KIND_TIME);
	assert_true(l.change_pct > 5);
	assert_int_equal(l.verdict, HB_CMP_UNKNOWN);
	assert_non_null(strstr(l.why, "repetitions per side"));
	/* no direction declared: changed, not worse */
	l = line(b, 5, n, 5, HB_NEITHER, HB_KIND_TIME);
	assert_int_equal(l.verdict, HB_CMP_CHANGED);
}

static void test_few_reps(void **state)
{
	double b[] = { 100, 104, 98 }, n[] = { 130, 128, 133 }, o[] = { 103, 140, 150 };
	double one_b[] = { 100 }, one_n[] = { 130 };
	struct hb_cmp_line l = line(b, 3, n, 3, HB_LOWER, HB_KIND_TIME);

	(void)state;
	assert_int_equal(l.verdict, HB_CMP_WORSE);
	assert_string_equal(l.test, "ranges");
	assert_int_equal(l.overlap, 0);
	l = line(b, 3, o, 3, HB_LOWER, HB_KIND_TIME);
	assert_int_equal(l.verdict, HB_CMP_UNKNOWN);
	assert_int_equal(l.overlap, 1);
	assert_non_null(strstr(l.why, "needs 5 repetitions per side"));
	/* one repetition of a time tells nothing of its noise */
	l = line(one_b, 1, one_n, 1, HB_LOWER, HB_KIND_TIME);
	assert_int_equal(l.verdict, HB_CMP_UNKNOWN);
	/* ... but a memory figure repeats: one decides */
	l = line(one_b, 1, one_n, 1, HB_LOWER, HB_KIND_MEMORY);
	assert_int_equal(l.verdict, HB_CMP_WORSE);
	/* an exact count: any change counts, none is same */
	l = line(one_b, 1, one_b, 1, HB_LOWER, HB_KIND_COUNT);
	assert_int_equal(l.verdict, HB_CMP_SAME);
	l = line(one_b, 1, one_n, 0, HB_LOWER, HB_KIND_COUNT);
	assert_int_equal(l.verdict, HB_CMP_NA);
}

static void test_kind_of_unit(void **state)
{
	(void)state;
	assert_int_equal(hb_cmp_kind_of_unit("ns"), HB_KIND_TIME);
	assert_int_equal(hb_cmp_kind_of_unit("ms/GiB"), HB_KIND_TIME);
	assert_int_equal(hb_cmp_kind_of_unit("ops/s"), HB_KIND_RATE);
	assert_int_equal(hb_cmp_kind_of_unit("KiB"), HB_KIND_MEMORY);
	assert_int_equal(hb_cmp_kind_of_unit("KiB/page"), HB_KIND_MEMORY);
	assert_int_equal(hb_cmp_kind_of_unit(""), HB_KIND_COUNT);
	/* "s" is a time, "samples" is not */
	assert_int_equal(hb_cmp_kind_of_unit("s"), HB_KIND_TIME);
	assert_int_equal(hb_cmp_kind_of_unit("samples"), HB_KIND_TIME);
	assert_true(hb_cmp_default_threshold(HB_KIND_TIME) == 5);
	assert_true(hb_cmp_default_threshold(HB_KIND_MEMORY) == 1);
	assert_true(hb_cmp_default_threshold(HB_KIND_COUNT) == 0);
}

static void test_canonical_params(void **state)
{
	char *a = hb_cmp_canonical_params("touch", "size=256M;stride=4K;passes=5");
	char *b = hb_cmp_canonical_params("touch", "passes=5;size=262144K");
	char *c = hb_cmp_canonical_params("nosuch", "x=1;y=2");

	(void)state;
	/* the order and the spelling of a size do not matter; defaults are filled in */
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "size=256M"));
	/* a workload this build does not know: as written */
	assert_string_equal(c, "x=1;y=2");
	free(a);
	free(b);
	free(c);
}

#define ROW(w, b, p, rep, m, val, u) \
	{ (char *)(w), (char *)(b), (char *)(p), rep, (char *)(m), (char *)#val, (char *)(u), \
	  (char *)"", 1, val }

/* Two machines, the second everything 2x slower: as ratios to 4k, nothing changed. */
static void test_join_relative(void **state)
{
	static const struct hb_row base[] = {
		ROW("touch", "4k", "size=256M", 1, "ns_per_touch", 10.0, "ns"),
		ROW("touch", "4k", "size=256M", 2, "ns_per_touch", 11.0, "ns"),
		ROW("touch", "thp", "size=256M", 1, "ns_per_touch", 5.0, "ns"),
		ROW("touch", "thp", "size=256M", 2, "ns_per_touch", 5.5, "ns"),
		ROW("touch", "hugetlb-2m", "size=256M", 1, "ns_per_touch", 4.0, "ns"),
	};
	static const struct hb_row slow[] = {
		ROW("touch", "4k", "size=256M;stride=4K", 1, "ns_per_touch", 20.0, "ns"),
		ROW("touch", "4k", "size=256M;stride=4K", 2, "ns_per_touch", 22.0, "ns"),
		ROW("touch", "thp", "stride=4K;size=256M", 1, "ns_per_touch", 10.0, "ns"),
		ROW("touch", "thp", "stride=4K;size=256M", 2, "ns_per_touch", 11.0, "ns"),
	};
	struct hb_cmp_run b = { base, 5, "a", NULL, NULL, NULL };
	struct hb_cmp_run n = { slow, 4, "b", NULL, NULL, NULL };
	struct hb_cmp_opts o = { 0 };
	struct hb_cmp_result r;
	char err[512];
	int seen_thp = 0, seen_na = 0;

	(void)state;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	/* as measured: worse */
	assert_true(r.count[HB_CMP_WORSE] >= 2);
	hb_cmp_result_free(&r);
	o.relative_to = "4k";
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.count[HB_CMP_WORSE], 0);
	for (size_t i = 0; i < r.n; i++) {
		const struct hb_cmp_line *l = &r.lines[i];

		assert_string_not_equal(l->backing, "4k"); /* the reference is no line */
		if (!strcmp(l->backing, "thp")) {
			seen_thp = 1;
			assert_int_equal(l->verdict, HB_CMP_SAME);
			assert_true(l->base.st.med == 0.5 && l->new.st.med == 0.5);
		} else {
			/* hugetlb-2m ran only in a: n/a, saying where it is missing */
			seen_na = 1;
			assert_int_equal(l->verdict, HB_CMP_NA);
			assert_non_null(strstr(l->why, "b"));
		}
	}
	assert_true(seen_thp && seen_na);
	hb_cmp_result_free(&r);
	/* a threshold for a metric neither run has is bad input */
	o.thresholds[0] = (struct hb_cmp_threshold){ "no_such_metric", 3, 0 };
	o.nthresholds = 1;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no_such_metric"));
	hb_cmp_result_free(&r);
	/* no cell in common: says which keys each run has */
	o.nthresholds = 0;
	n.rows = slow, n.n = 0;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "touch 4k"));
	hb_cmp_result_free(&r);
}

#define TXT(w, b, rep, m, val, note) \
	{ (char *)(w), (char *)(b), (char *)"size=256M", rep, (char *)(m), (char *)(val), \
	  (char *)"", (char *)(note), 0, 0 }

/* A cell ok in base that is skipped, failed or fallback in new, and a figure a number in base
 * that is unavailable in new: lost, first, with both reasons; a cell only new has: n/a. */
static void test_lost(void **state)
{
	static const struct hb_row base[] = {
		ROW("touch", "4k", "size=256M", 1, "ns_per_touch", 10.0, "ns"),
		TXT("touch", "4k", 1, "status", "ok", ""),
		ROW("touch", "thp", "size=256M", 1, "huge_coverage_pct", 100.0, "%"),
		TXT("touch", "thp", 1, "status", "ok", ""),
		ROW("touch", "hugetlb-2m", "size=256M", 1, "ns_per_touch", 4.0, "ns"),
		TXT("touch", "hugetlb-2m", 1, "status", "ok", ""),
		ROW("touch", "hugetlb-1g", "size=256M", 1, "ns_per_touch", 3.0, "ns"),
		TXT("touch", "hugetlb-1g", 1, "status", "ok", ""),
		ROW("touch", "thp-always", "size=256M", 1, "ns_per_touch", 5.0, "ns"),
		TXT("touch", "thp-always", 1, "status", "ok", ""),
	};
	static const struct hb_row news[] = {
		ROW("touch", "4k", "size=256M", 1, "ns_per_touch", 10.0, "ns"),
		TXT("touch", "4k", 1, "status", "ok", ""),
		TXT("touch", "thp", 1, "huge_coverage_pct", "unavailable", "no smaps"),
		TXT("touch", "thp", 1, "status", "ok", ""),
		TXT("touch", "hugetlb-2m", 1, "status", "skipped", "the pool could not be reserved"),
		TXT("touch", "hugetlb-1g", 1, "status", "failed", "exit 1"),
		ROW("touch", "thp-always", "size=256M", 1, "ns_per_touch", 5.0, "ns"),
		TXT("touch", "thp-always", 1, "status", "fallback", "no huge page"),
		ROW("touch", "mthp-64k", "size=256M", 1, "ns_per_touch", 5.0, "ns"),
		TXT("touch", "mthp-64k", 1, "status", "skipped", "no mTHP"),
	};
	struct hb_cmp_run b = { base, 10, "base", NULL, NULL, NULL };
	struct hb_cmp_run n = { news, 10, "new", NULL, NULL, NULL };
	struct hb_cmp_opts o = { 0 };
	struct hb_cmp_result r;
	char err[512];
	size_t lost_seen = 0;
	int first_other = -1;

	(void)state;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	/* the skipped, failed and fallback cells, the unavailable coverage */
	assert_int_equal(r.count[HB_CMP_LOST], 4);
	assert_int_equal(r.count[HB_CMP_WORSE], 0);
	for (size_t i = 0; i < r.n; i++) {
		const struct hb_cmp_line *l = &r.lines[i];

		if (l->verdict != HB_CMP_LOST) {
			if (first_other < 0)
				first_other = (int)i;
			/* only new has mthp-64k: n/a, never lost */
			if (!strcmp(l->backing, "mthp-64k"))
				assert_int_equal(l->verdict, HB_CMP_NA);
			continue;
		}
		assert_true(first_other < 0); /* lost lines come first */
		lost_seen++;
		assert_string_equal(hb_cmp_verdict_name(l->verdict), "lost");
		if (!strcmp(l->backing, "hugetlb-2m")) {
			assert_string_equal(l->metric, "status");
			assert_non_null(strstr(l->why, "ok in base"));
			assert_non_null(strstr(l->why, "skipped in new: the pool could not be"));
		} else if (!strcmp(l->backing, "hugetlb-1g")) {
			assert_non_null(strstr(l->why, "failed in new: exit 1"));
		} else if (!strcmp(l->backing, "thp-always")) {
			assert_non_null(strstr(l->why, "fallback in new: no huge page"));
		} else {
			assert_string_equal(l->backing, "thp");
			assert_string_equal(l->metric, "huge_coverage_pct");
			assert_non_null(strstr(l->why, "a number in base (median 100)"));
			assert_non_null(strstr(l->why, "unavailable in new: no smaps"));
		}
	}
	assert_int_equal(lost_seen, 4);
	hb_cmp_result_free(&r);
	/* the same runs the other way round: nothing lost (a gain is no failure) */
	assert_int_equal(hb_compare(&n, &b, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.count[HB_CMP_LOST], 0);
	hb_cmp_result_free(&r);
}

/* A made-up run of two cells x 5 repetitions: touch with a time, churn with a rate, each with
 * a memory figure and the host probe; the time, the rate and the probes scaled by speed (2:
 * twice as slow). */
#define PROBE_ROWS (2 * 5 * 4)
static char probe_text[2][PROBE_ROWS][32];

static void probe_run(struct hb_row *rows, int which, double speed, double probe_speed)
{
	static const char *const workloads[] = { "touch", "churn" };
	static const char *const perf[] = { "ns_per_touch", "ops_per_sec_churn" };
	static const char *const perf_unit[] = { "ns", "ops/s" };
	size_t k = 0;

	for (int c = 0; c < 2; c++)
		for (int rep = 1; rep <= 5; rep++) {
			const char *m[] = { perf[c], "kib_made_up", "host_probe_cpu_ns",
					    "host_probe_load_ns" };
			const char *u[] = { perf_unit[c], "KiB", "ns", "ns" };
			/* a little noise per repetition, the same on both runs */
			double wob = 1 + 0.01 * (rep - 3);
			double v[] = { c ? 1000 / wob / speed : 10 * wob * speed, 500 * (c + 1),
				       1.8 * wob * probe_speed, 4.3 / wob * probe_speed };

			for (int i = 0; i < 4; i++, k++) {
				snprintf(probe_text[which][k], 32, "%.9g", v[i]);
				rows[k] = (struct hb_row){ (char *)workloads[c], (char *)"4k",
							   (char *)"x=1", rep, (char *)m[i],
							   probe_text[which][k], (char *)u[i],
							   (char *)"", 1, v[i] };
			}
		}
}

/* Every time x2 with its probe x2 is all same; the times x2 with the probe unchanged are worse;
 * --no-probe compares as measured. */
static void test_probe_normalises(void **state)
{
	static struct hb_row base[PROBE_ROWS], slow[PROBE_ROWS];
	struct hb_cmp_run b = { base, PROBE_ROWS, "base", NULL, NULL, NULL };
	struct hb_cmp_run n = { slow, PROBE_ROWS, "slow", NULL, NULL, NULL };
	struct hb_cmp_opts o = { .metrics = "*_made_up" };
	struct hb_cmp_result r;
	char err[512];

	(void)state;
	probe_run(base, 0, 1, 1);
	probe_run(slow, 1, 2, 2);
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].applied, 1);
	assert_true(fabs(r.probe[0].factor - 2) < 1e-6);
	assert_non_null(strstr(r.probe[0].text, "slow is 2.00x slower than base"));
	assert_int_equal(r.count[HB_CMP_SAME], 4); /* the time, the rate, 2 memory figures */
	assert_int_equal(r.n, 4);		   /* the probe itself is no line */
	hb_cmp_result_free(&r);
	/* the same figures, the host as fast as before: the code is slower */
	probe_run(slow, 1, 2, 1);
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].applied, 0);
	assert_true(r.probe[0].factor == 1);
	assert_non_null(strstr(r.probe[0].text, "compared as measured"));
	assert_int_equal(r.count[HB_CMP_WORSE], 2); /* the time and the rate */
	assert_int_equal(r.count[HB_CMP_SAME], 2);  /* memory */
	hb_cmp_result_free(&r);
	/* memory is never normalised: twice the probe, the same KiB, is same, not better */
	probe_run(slow, 1, 1, 2);
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].applied, 1);
	for (size_t i = 0; i < r.n; i++)
		if (!strcmp(r.lines[i].metric, "kib_made_up"))
			assert_int_equal(r.lines[i].verdict, HB_CMP_SAME);
		else /* as fast on a host twice as slow: better */
			assert_int_equal(r.lines[i].verdict, HB_CMP_BETTER);
	hb_cmp_result_free(&r);
	/* --no-probe: as measured */
	probe_run(slow, 1, 2, 2);
	o.no_probe = 1;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].applied, 0);
	assert_int_equal(r.count[HB_CMP_WORSE], 2);
	hb_cmp_result_free(&r);
	/* a base without probes (recorded before them): as measured, saying so */
	o.no_probe = 0;
	b.n = 0;
	for (size_t i = 0, k = 0; i < PROBE_ROWS; i++)
		if (strncmp(base[i].metric, "host_probe", 10))
			base[k++] = base[i], b.n = k;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].applied, 0);
	assert_non_null(strstr(r.probe[0].text, "base has 0"));
	assert_int_equal(r.count[HB_CMP_WORSE], 2);
	hb_cmp_result_free(&r);
}

/* A forkcow cell x 5 repetitions: a tail (p99), a short interval (populate, 5 ms in base), a
 * long time (fork ms/GiB), its cpu_wait_pct and the probe. NEW: the host 2x slower by the
 * probe, the long time 2x, populate 4x, the tail 20x (what preemption by whole scheduler
 * slices does), its cells waiting for a CPU wait_pct of their runnable time. */
#define SHARED_ROWS (5 * 6)
static char shared_text_v[2][SHARED_ROWS][32];

static void shared_run(struct hb_row *rows, int which, int slow, double wait_pct)
{
	static const char *const m[] = { "write_p99_us_snapshot", "populate_ms", "fork_ms_per_gib",
					  "cpu_wait_pct", "host_probe_cpu_ns", "host_probe_load_ns" };
	static const char *const u[] = { "us", "ms", "ms/GiB", "%", "ns", "ns" };
	size_t k = 0;

	for (int rep = 1; rep <= 5; rep++) {
		double wob = 1 + 0.01 * (rep - 3);
		double v[] = { 160 * wob * (slow ? 20 : 1), 5 * wob * (slow ? 4 : 1),
			       70 * wob * (slow ? 2 : 1), wait_pct * wob, 1.8 * wob * (slow ? 2 : 1),
			       4.3 / wob * (slow ? 2 : 1) };

		for (int i = 0; i < 6; i++, k++) {
			snprintf(shared_text_v[which][k], 32, "%.9g", v[i]);
			rows[k] = (struct hb_row){ (char *)"forkcow", (char *)"thp", (char *)"x=1", rep,
						   (char *)m[i], shared_text_v[which][k],
						   (char *)u[i], (char *)"", 1, v[i] };
		}
	}
}

static enum hb_cmp_verdict verdict_of(const struct hb_cmp_result *r, const char *metric)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->lines[i].metric, metric))
			return r->lines[i].verdict;
	fail_msg("no line for %s", metric);
	return HB_CMP_NA;
}

/* On a host whose CPUs were shared (its cells waited for a CPU far more than base's), the
 * probe still normalises the long time, but the tail and the short interval get no verdict;
 * on a host as slow but not shared, they are worse. */
static void test_shared_host(void **state)
{
	static struct hb_row base[SHARED_ROWS], nw[SHARED_ROWS];
	struct hb_cmp_run b = { base, SHARED_ROWS, "base", NULL, NULL, NULL };
	struct hb_cmp_run n = { nw, SHARED_ROWS, "new", NULL, NULL, NULL };
	struct hb_cmp_opts o = { 0 };
	struct hb_cmp_result r;
	char err[512];

	(void)state;
	shared_run(base, 0, 0, 1);
	shared_run(nw, 1, 1, 48);
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].applied, 1);
	assert_int_equal(r.probe[0].shared, 1);
	assert_non_null(strstr(r.probe[0].text, "new's cells waited for a CPU 48% of the time"));
	assert_int_equal(verdict_of(&r, "write_p99_us_snapshot"), HB_CMP_UNKNOWN);
	assert_int_equal(verdict_of(&r, "populate_ms"), HB_CMP_UNKNOWN);
	assert_int_equal(verdict_of(&r, "fork_ms_per_gib"), HB_CMP_SAME);
	for (size_t i = 0; i < r.n; i++) {
		assert_string_not_equal(r.lines[i].metric, "cpu_wait_pct"); /* never a figure */
		if (r.lines[i].verdict == HB_CMP_UNKNOWN)
			assert_non_null(strstr(r.lines[i].why, "CPUs were shared"));
	}
	hb_cmp_result_free(&r);
	/* as slow, but its cells waited no more than base's: a slower host, and the tail and
	 * the short interval that grew beyond the slowdown are worse */
	shared_run(nw, 1, 1, 1.5);
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].shared, 0);
	assert_null(strstr(r.probe[0].text, "waited"));
	assert_int_equal(verdict_of(&r, "write_p99_us_snapshot"), HB_CMP_WORSE);
	assert_int_equal(verdict_of(&r, "populate_ms"), HB_CMP_WORSE);
	assert_int_equal(verdict_of(&r, "fork_ms_per_gib"), HB_CMP_SAME);
	hb_cmp_result_free(&r);
	/* a base recorded before cells measured the wait: NEW's 48% alone says shared */
	shared_run(nw, 1, 1, 48);
	for (size_t k = 3; k < SHARED_ROWS; k += 6)
		base[k].num = 0;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.probe[0].shared, 1);
	assert_non_null(strstr(r.probe[0].text, "48% of the time they were runnable (base has "
						 "no record of it)"));
	assert_int_equal(verdict_of(&r, "write_p99_us_snapshot"), HB_CMP_UNKNOWN);
	hb_cmp_result_free(&r);
}

/* hugebench noise's rule: the largest median-to-median change x 1.5, rounded up, never below
 * the kind's default, at most 1000; and its fit of three runs, per cell and per metric. */
static void test_noise_rule(void **state)
{
	double t[] = { 100, 110, 104 }, same[] = { 7, 7, 7 }, small[] = { 100, 101 };
	double zero[] = { 0, 3 }, neg[] = { -10, -12 };
	static struct hb_row runs[3][2 * 5 * 4];
	struct hb_cmp_run r[3];
	struct hb_noise_fit fit;
	char err[256];
	int cells = 0;

	(void)state;
	/* 100 -> 110 is 10%: 15% */
	assert_true(hb_noise_threshold(t, 3, HB_KIND_TIME) == 15);
	/* no spread: the kind's floor */
	assert_true(hb_noise_threshold(same, 3, HB_KIND_TIME) == 5);
	assert_true(hb_noise_threshold(same, 3, HB_KIND_MEMORY) == 1);
	assert_true(hb_noise_threshold(same, 3, HB_KIND_COUNT) == 0);
	/* 1% x 1.5 rounds up to 2 for memory, stays at the time's floor of 5 */
	assert_true(hb_noise_threshold(small, 2, HB_KIND_MEMORY) == 2);
	assert_true(hb_noise_threshold(small, 2, HB_KIND_TIME) == 5);
	/* from 0 to anything: capped */
	assert_true(hb_noise_threshold(zero, 2, HB_KIND_MEMORY) == HB_NOISE_MAX_PCT);
	assert_true(hb_noise_threshold(neg, 2, HB_KIND_TIME) == 30);
	assert_true(isnan(hb_noise_threshold(t, 1, HB_KIND_TIME)));
	/* three runs of the made-up profile: touch's time 10 (x1, x1.2, x0.9), churn's rate 1000
	 * (the same), memory exact */
	probe_run(runs[0], 0, 1, 1);
	memcpy(runs[1], runs[0], sizeof(runs[0]));
	memcpy(runs[2], runs[0], sizeof(runs[0]));
	for (size_t i = 0; i < 40; i++)
		if (!strcmp(runs[1][i].metric, "ns_per_touch"))
			runs[1][i].v *= 1.2, runs[2][i].v *= 0.9;
	for (int k = 0; k < 3; k++)
		r[k] = (struct hb_cmp_run){ runs[k], 40, "run", NULL, NULL, NULL };
	assert_int_equal(hb_noise_fit(r, 3, &fit, err, sizeof(err)), 0);
	for (size_t i = 0; i < fit.n; i++) {
		const struct hb_noise_entry *e = &fit.e[i];

		if (e->cell)
			cells++;
		else
			assert_true(cells == 2); /* cells first, then the metrics */
		if (strstr(e->key, "ns_per_touch")) {
			/* 0.9 -> 1.2 is 33.3%: 50 */
			assert_true(fabs(e->change_pct - 100.0 / 3) < 1e-6);
			assert_true(e->pct == 50);
		} else if (strstr(e->key, "ops_per_sec_churn")) {
			assert_true(e->pct == 5);
		}
	}
	assert_int_equal(cells, 2); /* touch/4k/ns_per_touch, churn/4k/ops_per_sec_churn */
	assert_string_equal(fit.e[0].key, "touch/4k/ns_per_touch");
	hb_noise_fit_free(&fit);
	/* one run has no spread */
	assert_int_equal(hb_noise_fit(r, 1, &fit, err, sizeof(err)), -EINVAL);
}

/* A threshold of one cell (workload/backing/metric) beats the metric's, and only there. */
static void test_cell_threshold(void **state)
{
	static struct hb_row base[PROBE_ROWS], slow[PROBE_ROWS];
	struct hb_cmp_run b = { base, PROBE_ROWS, "base", NULL, NULL, NULL };
	struct hb_cmp_run n = { slow, PROBE_ROWS, "slow", NULL, NULL, NULL };
	struct hb_cmp_opts o = { .no_probe = 1 };
	struct hb_cmp_result r;
	char err[256];

	(void)state;
	probe_run(base, 0, 1, 1);
	probe_run(slow, 1, 1.3, 1);
	o.thresholds[0] = (struct hb_cmp_threshold){ "touch/4k/ns_per_touch", 40, 1 };
	o.thresholds[1] = (struct hb_cmp_threshold){ "ops_per_sec_churn", 10, 1 };
	o.nthresholds = 2;
	assert_int_equal(hb_compare(&b, &n, 1, &o, &r, err, sizeof(err)), 0);
	for (size_t i = 0; i < r.n; i++) {
		const struct hb_cmp_line *l = &r.lines[i];

		if (!strcmp(l->metric, "ns_per_touch")) {
			assert_true(l->threshold_pct == 40);
			assert_int_equal(l->verdict, HB_CMP_SAME);
		} else if (!strcmp(l->metric, "ops_per_sec_churn")) {
			assert_true(l->threshold_pct == 10);
			assert_int_equal(l->verdict, HB_CMP_WORSE);
		}
	}
	hb_cmp_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_same),	cmocka_unit_test(test_u_test_decides),
		cmocka_unit_test(test_few_reps),	cmocka_unit_test(test_kind_of_unit),
		cmocka_unit_test(test_canonical_params), cmocka_unit_test(test_join_relative),
		cmocka_unit_test(test_lost),		cmocka_unit_test(test_probe_normalises),
		cmocka_unit_test(test_shared_host),
		cmocka_unit_test(test_noise_rule),	cmocka_unit_test(test_cell_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
