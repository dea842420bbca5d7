/*
 * The typed machine record (harness/results/machine_record.c) on the hand-made run of
 * tests/fixtures/results-mini and on records that lack fields; and the command option tables
 * (harness/cli/options.c): one meaning per short letter, getopt's strings built from them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "machine_record.h"
#include "metadiff.h"
#include "options.h"

#define FIXTURE HB_SRCDIR "/tests/fixtures/results-mini/meta.json"

static void fixture_fields(void **state)
{
	struct hb_machine_record r;
	char note[256] = "";

	(void)state;
	assert_int_equal(hb_record_load(FIXTURE, &r, note, sizeof(note)), 0);
	assert_string_equal(r.hostname, "vm");
	assert_string_equal(r.kind, "bench");
	assert_string_equal(r.command, "hugebench bench --profile quick --out results-mini");
	assert_string_equal(r.end, "2026-11-23T03:31:02Z");
	assert_true(r.has_reps);
	assert_int_equal(r.reps, 3);
	assert_true(r.complete);
	assert_string_equal(r.kernel.release, "6.18.44-fc-v669");
	assert_null(r.hypervisor.name); /* a record from before the plain name was kept */
	assert_string_equal(r.hypervisor.vendor, "KVMKVMKVM");
	assert_string_equal(r.cpu.model, "AMD EPYC");
	assert_int_equal(r.cpu.online_cpus, 2);
	assert_true(r.cpu.tlb.has_reach_4k_bytes);
	assert_int_equal(r.cpu.tlb.reach_4k_bytes, 12582912);
	assert_int_equal(r.cpu.tlb.reach_2m_bytes, 6442450944ull);
	assert_true(r.cpu.tlb.has_reach_1g_bytes);
	assert_int_equal(r.cpu.tlb.reach_1g_bytes, 0);
	assert_int_equal(r.cpu.tlb.l1d_4k, 72);
	assert_int_equal(r.cpu.tlb.l1d_2m, 72);
	assert_int_equal(r.cpu.tlb.l2_4k, 3072);
	assert_string_equal(r.thp.enabled, "madvise");
	assert_string_equal(r.thp.fault_compaction, "madvise");
	assert_false(r.topology.has_llc_bytes);
	assert_int_equal(r.topology.ncaches, 4);
	assert_int_equal(r.topology.caches[3].level, 3);
	assert_string_equal(r.topology.caches[1].type, "instruction");
	assert_int_equal(r.topology.caches[2].size_bytes, 1048576);
	assert_int_equal(r.nentries, 26); /* replay's set is the last */
	assert_string_equal(r.entries[0].workload, "touch");
	assert_int_equal(r.entries[0].nbackings, 3);
	assert_string_equal(r.entries[0].backings[2], "hugetlb-2m");
	hb_record_free(&r);
}

/* A record that lacks a field says so; one of the wrong type is missing, not 0 by chance. */
static void missing_fields(void **state)
{
	json_t *j = json_loads("{\"cpu\": {\"tlb\": {\"reach_4k_bytes\": \"12M\", \"l1d\": {}}},"
			       " \"reps\": -1.5, \"entries\": [3, {\"backings\": [1, \"4k\"]}],"
			       " \"complete\": \"yes\"}", 0, NULL);
	struct hb_machine_record r;
	char text[128];

	(void)state;
	assert_non_null(j);
	assert_int_equal(hb_record_from_json(j, &r), 0);
	json_decref(j);
	assert_false(r.cpu.tlb.has_reach_4k_bytes);
	assert_int_equal(r.cpu.tlb.reach_4k_bytes, 0);
	assert_false(r.cpu.tlb.has_l1d_4k);
	assert_null(r.hostname);
	assert_null(r.thp.enabled);
	assert_false(r.complete);
	assert_int_equal(r.nentries, 2);
	assert_null(r.entries[0].workload);
	assert_int_equal(r.entries[1].nbackings, 2);
	assert_null(r.entries[1].backings[0]);
	assert_string_equal(r.entries[1].backings[1], "4k");
	hb_record_leaf_text(&r, "cpu.tlb.reach_4k_bytes", text, sizeof(text));
	assert_string_equal(text, "12M");
	hb_record_leaf_text(&r, "cpu.model", text, sizeof(text));
	assert_string_equal(text, "(absent)");
	hb_record_free(&r);
}

/* An unreadable meta.json: a note and an empty record, still safe to read and free. */
static void unreadable(void **state)
{
	struct hb_machine_record r;
	char note[256] = "";

	(void)state;
	assert_int_not_equal(hb_record_load("/nonexistent/meta.json", &r, note, sizeof(note)), 0);
	assert_non_null(strstr(note, "meta.json: "));
	assert_true(hb_record_empty(&r));
	assert_null(r.cpu.model);
	assert_int_equal(r.nentries, 0);
	hb_record_free(&r);
}

static void count_leaf(const char *path, const char *text, void *arg)
{
	(void)text;
	if (!strcmp(path, "thp.enabled"))
		++*(int *)arg;
}

/* compare's differences walk every key of both records. */
static void diff_walk(void **state)
{
	json_t *a = json_loads("{\"thp\": {\"enabled\": \"always\"}, \"kernel\": {\"release\": "
			       "\"6.1\"}, \"other\": 1}", 0, NULL);
	json_t *b = json_loads("{\"thp\": {\"enabled\": \"madvise\"}, \"hostname\": \"h\"}", 0,
			       NULL);
	struct hb_machine_record ra, rb;
	struct hb_meta_diff diff[8];
	int seen = 0;
	size_t n;

	(void)state;
	assert_int_equal(hb_record_from_json(a, &ra), 0);
	assert_int_equal(hb_record_from_json(b, &rb), 0);
	json_decref(a);
	json_decref(b);
	hb_record_leaves(&ra, count_leaf, &seen);
	assert_int_equal(seen, 1);
	n = hb_meta_diff(&ra, &rb, diff, 8);
	assert_int_equal(n, 3);
	assert_string_equal(diff[0].path, "thp.enabled");
	assert_string_equal(diff[0].base, "always");
	assert_string_equal(diff[0].new, "madvise");
	assert_string_equal(diff[1].path, "kernel.release");
	assert_string_equal(diff[1].new, "(absent)");
	assert_string_equal(diff[2].path, "hostname");
	assert_string_equal(diff[2].base, "(absent)");
	hb_record_free(&ra);
	hb_record_free(&rb);
}

static const struct hb_command *const commands[] = {
	&hb_run_command, &hb_bench_command, &hb_plot_command, &hb_compare_command,
	&hb_baseline_command, &hb_calibrate_command, &hb_restore_command, NULL,
};

static void option_tables(void **state)
{
	struct hb_opt_parser p;
	char err[256];

	(void)state;
	assert_int_equal(hb_options_check(commands, err, sizeof(err)), 0);
	hb_opt_begin(&p, &hb_run_command);
	assert_non_null(strstr(p.optstring, "b:"));
	assert_non_null(strstr(p.optstring, "p:"));
	assert_null(strchr(p.optstring, 'B'));
	hb_opt_begin(&p, &hb_bench_command);
	assert_null(strchr(p.optstring, 'p')); /* --profile: long only, -p is run's parameter */
	assert_null(strchr(p.optstring, 'b')); /* --baseline: long only, -b is a backing */
}

/* Two tables that give one letter two meanings are refused, naming both. */
static void letter_clash(void **state)
{
	static const struct hb_option a_opts[] = { { "backing", 'b', "B", NULL, "x" }, { 0 } };
	static const struct hb_option b_opts[] = { { "baseline", 'b', "D", NULL, "y" }, { 0 } };
	static const struct hb_command a = { .name = "a", .options = a_opts };
	static const struct hb_command b = { .name = "b", .options = b_opts };
	const struct hb_command *const both[] = { &a, &b, NULL };
	char err[256];

	(void)state;
	assert_int_not_equal(hb_options_check(both, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "-b is --backing in one command and --baseline in b"));
}

/* --dry-run is found where getopt finds it, and not as another option's value; and the first
 * operand (run's WORKLOAD) after options too. */
static void dry_run_scan(void **state)
{
	char *yes[] = { "run", "--dry-run", "-p", "size=8M", "touch", NULL };
	char *value[] = { "bench", "--out", "--dry-run", NULL };
	char *no[] = { "run", "touch", "--quiet", NULL };
	const char *operand;
	int dry;

	(void)state;
	hb_opt_scan(&hb_run_command, 5, yes, &dry, &operand);
	assert_true(dry);
	assert_string_equal(operand, "touch");
	assert_string_equal(yes[1], "--dry-run"); /* argv as it was */
	hb_opt_scan(&hb_bench_command, 3, value, &dry, &operand);
	assert_false(dry);
	assert_null(operand);
	hb_opt_scan(&hb_run_command, 3, no, &dry, &operand);
	assert_false(dry);
	assert_string_equal(operand, "touch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixture_fields), cmocka_unit_test(missing_fields),
		cmocka_unit_test(unreadable),	  cmocka_unit_test(diff_walk),
		cmocka_unit_test(option_tables),  cmocka_unit_test(letter_clash),
		cmocka_unit_test(dry_run_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
