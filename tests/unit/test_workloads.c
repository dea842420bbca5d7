/* Every workload's table and calibration pairs are checked: a typo in a default or a range
 * fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "twins.h"
#include "workload.h"

static void test_every_table(void **state)
{
	char err[512];

	(void)state;
	assert_non_null(hb_workloads[0]);
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		void *p = calloc(1, w->params_size);

		assert_non_null(w->name);
		assert_non_null(w->summary);
		assert_non_null(w->setup);
		assert_non_null(w->run);
		assert_non_null(w->needs);
		assert_non_null(w->needs->memory_needed);
		if (hb_params_check_table(w->params, err, sizeof(err)))
			fail_msg("workload %s: %s", w->name, err);
		assert_int_equal(hb_params_defaults(w->params, p, err, sizeof(err)), 0);
		if (w->validate && w->validate(p, err, sizeof(err)))
			fail_msg("workload %s: defaults do not validate: %s", w->name, err);
		assert_true(w->needs->memory_needed(p) > 0);
		assert_ptr_equal(hb_workload_find(w->name), w);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(hb_workloads[j]->name, w->name);
		free(p);
	}
	assert_null(hb_workload_find("no-such-workload"));
}

static void test_touch_validate(void **state)
{
	const struct hb_workload *w = hb_workload_find("touch");
	void *p;
	char err[512];

	(void)state;
	assert_non_null(w);
	p = calloc(1, w->params_size);
	hb_params_defaults(w->params, p, err, sizeof(err));
	assert_int_equal(hb_params_set_arg(w->params, p, "size=8K", err, sizeof(err)), 0);
	assert_int_equal(hb_params_set_arg(w->params, p, "stride=16K", err, sizeof(err)), 0);
	assert_int_equal(w->validate(p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "stride"));
	assert_int_equal(hb_params_set_arg(w->params, p, "stride=12", err, sizeof(err)), 0);
	assert_int_equal(w->validate(p, err, sizeof(err)), -EINVAL);
	assert_int_equal(hb_params_set_arg(w->params, p, "stride=8K", err, sizeof(err)), 0);
	assert_int_equal(w->validate(p, err, sizeof(err)), 0);
	assert_int_equal(w->needs->memory_needed(p), 8192);
	free(p);
}

/* A declared side's parameters parse and validate in its workload's table. */
static void side_parses(const struct hb_workload *w, const char *text, const char *pair)
{
	void *p = calloc(1, w->params_size);
	char err[512], *store = NULL;

	assert_non_null(p);
	if (hb_params_parse(w->params, text, p, &store, err, sizeof(err)) ||
	    (w->validate && w->validate(p, err, sizeof(err))))
		fail_msg("pair %s, %s side '%s': %s", pair, w->name, text, err);
	free(store);
	free(p);
}

/* Every calibration pair the workloads declare (twins.h): both sides are built in, their
 * parameters (and --quick's) parse, every rule sets a parameter the simulated side has and a
 * rule without a function copies one the real side has, every pair compares something; the
 * real pairs and the test stand-ins are both there. */
static void test_twins(void **state)
{
	int real = 0, standin = 0;

	(void)state;
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *owner = hb_workloads[i];
		const struct hb_twin *t = owner->report ? owner->report->twins : NULL;

		for (; t && t->pair; t++) {
			const struct hb_workload *rw =
				t->real.workload ? hb_workload_find(t->real.workload) : owner;
			const struct hb_workload *sw = hb_workload_find(t->sim.workload);
			char text[1024];

			assert_non_null(rw);
			assert_non_null(sw);
			assert_non_null(t->what);
			assert_non_null(t->metrics);
			assert_non_null(t->metrics[0].name);
			side_parses(rw, t->real.params, t->pair);
			snprintf(text, sizeof(text), "%s;%s", t->real.params,
				 t->real.quick ? t->real.quick : "");
			side_parses(rw, text, t->pair);
			side_parses(sw, t->sim.params, t->pair);
			for (const struct hb_twin_rule *r = t->rules; r && r->param; r++) {
				if (!hb_params_find(sw->params, r->param))
					fail_msg("pair %s: rule for '%s', which %s does not have",
						 t->pair, r->param, sw->name);
				if (!r->value && !hb_params_find(rw->params, r->param))
					fail_msg("pair %s: '%s' copied from %s, which lacks it",
						 t->pair, r->param, rw->name);
			}
			assert_true(!t->dataset || t->dataset_help);
			if (t->test_only)
				standin++;
			else
				real++;
		}
	}
	assert_true(real > 0);
	assert_true(standin > 0);
}

static const struct hb_param bad_rows[] = {
	{ .name = "good", .type = HB_PT_UINT, .offset = 0, .def = "1", .help = "fine" },
	{ .name = "broken", .type = HB_PT_UINT, .offset = 0, .def = "7", .min = "0", .max = "5",
	  .help = "its default is out of its range" },
	HB_PARAM_END,
};

static const struct hb_workload bad_workload = { .name = "badtable", .params = bad_rows };

static void test_start_up_check(void **state)
{
	const struct hb_workload *const list[] = { hb_workloads[0], &bad_workload, NULL };
	char err[768];

	(void)state;
	assert_int_equal(hb_workloads_check(hb_workloads, err, sizeof(err)), 0);
	assert_int_equal(hb_workloads_check(list, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "workload badtable: bad parameter table: parameter 'broken'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_table),
		cmocka_unit_test(test_touch_validate),
		cmocka_unit_test(test_start_up_check),
		cmocka_unit_test(test_twins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
