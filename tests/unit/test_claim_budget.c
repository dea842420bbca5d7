/* Which cells the claims budget wants (report/claim_budget.c): the TLB claim's set on rows made
 * here, so the verdict of each backing is known: a claim one backing decides gets no more
 * repetitions, one that no backing decides gets them for every backing and for 4k. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim_budget.h"
#include "matrix.h"
#include "profile.h"
#include "results.h"

static void load(struct hb_matrix *m)
{
	char path[PATH_MAX], err[PATH_MAX + 512];
	const char *dir = getenv("HB_FIXTURES");
	struct hb_profile p;

	snprintf(path, sizeof(path), "%s/profiles/claim-dense.ini", dir ? dir : "tests/fixtures");
	hb_matrix_init(m);
	assert_int_equal(hb_profile_load(path, NULL, m, &p, err, sizeof(err)), 0);
	assert_int_equal((int)m->n, 1);
	assert_int_equal(m->e[0].nbackings, 3);
}

/* Rows of ns_per_access: 4k at 200 ns, thp and hugetlb-2m at these ratios of it, rep by rep. */
static void rows(struct hb_results *r, const struct hb_matrix *m, const double *thp,
		 const double *huge, int n)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < n; i++) {
		assert_int_equal(hb_results_addf(r, "sparse", "4k", m->e[0].params_text, i + 1,
						 "ns_per_access", 200, "ns", ""), 0);
		assert_int_equal(hb_results_addf(r, "sparse", "thp", m->e[0].params_text, i + 1,
						 "ns_per_access", 200 * thp[i], "ns", ""), 0);
		assert_int_equal(hb_results_addf(r, "sparse", "hugetlb-2m", m->e[0].params_text,
						 i + 1, "ns_per_access", 200 * huge[i], "ns", ""),
				 0);
	}
}

static int wanted(const struct hb_results *r, const struct hb_matrix *m, unsigned char *want)
{
	struct hb_claim_budget b;

	hb_claim_budget_init(&b, 0, 0);
	return b.reps.want(&b.reps, r, m, want);
}

/* Ratios that straddle the claim's 0.95 bound: the sign-test interval of 5 spans both sides. */
static const double straddle[] = { 0.80, 1.10, 0.90, 1.05, 0.85 };

static void test_too_few_pairs(void **state)
{
	const double lower[] = { 0.8, 0.8, 0.8, 0.8 };
	unsigned char want[HB_MAX_BACKINGS];
	struct hb_results r;
	struct hb_matrix m;

	(void)state;
	load(&m);
	rows(&r, &m, lower, lower, 4); /* 4 pairs: no 90% interval yet */
	assert_int_equal(wanted(&r, &m, want), 3);
	for (int k = 0; k < 3; k++)
		assert_true(want[k]);
	hb_results_free(&r);
}

static void test_no_backing_decides(void **state)
{
	unsigned char want[HB_MAX_BACKINGS];
	struct hb_results r;
	struct hb_matrix m;

	(void)state;
	load(&m);
	rows(&r, &m, straddle, straddle, 5);
	assert_int_equal(wanted(&r, &m, want), 3);
	hb_results_free(&r);
}

static void test_one_backing_decides_the_claim(void **state)
{
	const double above[] = { 1.10, 1.08, 1.12, 1.06, 1.09 }; /* thp refuted: all above 0.95 */
	unsigned char want[HB_MAX_BACKINGS];
	struct hb_results r;
	struct hb_matrix m;

	(void)state;
	load(&m);
	rows(&r, &m, above, straddle, 5);
	/* hugetlb-2m alone cannot tell, but the claim's verdict (refuted) stands: no cell. */
	assert_int_equal(wanted(&r, &m, want), 0);
	for (int k = 0; k < 3; k++)
		assert_false(want[k]);
	hb_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_few_pairs),
		cmocka_unit_test(test_no_backing_decides),
		cmocka_unit_test(test_one_backing_decides_the_claim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
