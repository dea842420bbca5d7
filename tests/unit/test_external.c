/* The external workload's pure parts (metric specs, figures read from output, placeholders,
 * why a command failed) and the harness's command runner behind it (hb_command_run: status,
 * stdout, the last lines of stderr, the deadline). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "command.h"
#include "external_parse.h"
#include "ctx_impl.h"

/* pgbench 15's summary, as it prints it after -S -T. */
static const char pgbench_out[] =
	"pgbench (15.8 (Debian 15.8-0+deb12u1))\n"
	"starting vacuum...end.\n"
	"transaction type: <builtin: select only>\n"
	"scaling factor: 40\n"
	"number of clients: 2\n"
	"duration: 20 s\n"
	"number of transactions actually processed: 512345\n"
	"latency average = 0.078 ms\n"
	"initial connection time = 4.117 ms\n"
	"tps = 25617.250421 (without initial connection time)\n";

static double find(const char *spec, const char *out, int want_rc, char *why, size_t len)
{
	struct cmd_metric m;
	char err[400];
	double v = -1;

	assert_int_equal(cmd_metric_parse(spec, &m, err, sizeof(err)), 0);
	assert_int_equal(cmd_metric_find(&m, out, &v, why, len), want_rc);
	return v;
}

static void test_several_metrics(void **state)
{
	char why[400];
	struct cmd_metric m;

	(void)state;
	assert_true(find("tps:tps:higher:^tps = ([0-9.]+)", pgbench_out, 0, why, sizeof(why)) ==
		    25617.250421);
	assert_true(find("latency_ms:ms:lower:latency average = ([0-9.]+) ms", pgbench_out, 0,
			 why, sizeof(why)) == 0.078);
	assert_true(find("txns:transactions:neither:actually processed: ([0-9]+)", pgbench_out,
			 0, why, sizeof(why)) == 512345);
	/* The last match counts: progress lines come before the summary. */
	assert_true(find("ops:ops/s:higher:ops=([0-9]+)", "ops=1\nops=2\nops=37\n", 0, why,
			 sizeof(why)) == 37);
	assert_int_equal(cmd_metric_parse("tps:tps:higher:x ([0-9]+)", &m, why, sizeof(why)), 0);
	assert_int_equal(m.better, HB_HIGHER);
	assert_string_equal(m.name, "tps");
	assert_string_equal(m.unit, "tps");
	/* A regex with ':' in it: only the first three fields are cut. */
	assert_true(find("t:s:lower:time: ([0-9.]+)", "time: 1.5\n", 0, why, sizeof(why)) == 1.5);
}

static void test_no_match_is_unavailable_with_why(void **state)
{
	char why[400];

	(void)state;
	find("qps:ops/s:higher:qps = ([0-9.]+)", pgbench_out, -ENOENT, why, sizeof(why));
	assert_non_null(strstr(why, "no match of 'qps = ([0-9.]+)'"));
	find("x:x:neither:tps = ([a-z]+)", "tps = abc\n", -EINVAL, why, sizeof(why));
	assert_non_null(strstr(why, "'abc'"));
	assert_non_null(strstr(why, "not a number"));
	find("x:x:neither:tps = ([0-9.]+)", "", -ENOENT, why, sizeof(why));
}

static void test_bad_specs(void **state)
{
	struct cmd_metric m;
	char err[400];

	(void)state;
	assert_int_equal(cmd_metric_parse("tps", &m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NAME:UNIT:DIRECTION:REGEX"));
	assert_int_equal(cmd_metric_parse("tps:tps:up:x ([0-9]+)", &m, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "higher, lower or neither"));
	assert_int_equal(cmd_metric_parse("tps:tps:higher:x [0-9]+", &m, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "exactly one capture group, it has 0"));
	assert_int_equal(cmd_metric_parse("tps:tps:higher:(x) ([0-9]+)", &m, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(cmd_metric_parse("tps:tps:higher:x ([0-9]+", &m, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "does not compile"));
	assert_int_equal(cmd_metric_parse("Bad Name:x:higher:x ([0-9]+)", &m, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "lower case"));
}

static void test_placeholders(void **state)
{
	struct cmd_subst s = { "/tmp/hugebench-external.abc", "5433", "-c huge_pages=on" };
	char out[256], err[300];

	(void)state;
	assert_int_equal(cmd_substitute("postgres -D {dir}/data -p {port} {hugetlb}", &s, out,
					sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "postgres -D /tmp/hugebench-external.abc/data -p 5433 "
				 "-c huge_pages=on");
	/* off: the text may be empty; "{{" and "}}" are literal braces, a lone "}" stays. */
	s.hugetlb = "";
	assert_int_equal(cmd_substitute("x {hugetlb}| awk '{{print $1}'", &s, out, sizeof(out),
					err, sizeof(err)), 0);
	assert_string_equal(out, "x | awk '{print $1}'");
	assert_int_equal(cmd_substitute("awk '/T/ {{ s += $2 }} END {{ print s }}'", &s, out,
					sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "awk '/T/ { s += $2 } END { print s }'");
	assert_int_equal(cmd_substitute("a {port}{port}", &s, out, sizeof(out), err, sizeof(err)),
			 0);
	assert_string_equal(out, "a 54335433");
	assert_int_equal(cmd_substitute("a {prot}", &s, out, sizeof(out), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown placeholder '{prot}'"));
	assert_non_null(strstr(err, "{dir}, {port}, {hugetlb}, and {{ and }}"));
	assert_int_equal(cmd_substitute("a {port", &s, out, sizeof(out), err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(cmd_substitute("{dir}{dir}{dir}{dir}{dir}{dir}{dir}{dir}{dir}", &s, out,
					64, err, sizeof(err)), -E2BIG);
}

static int never(const char *p)
{
	return strcmp(p, "sh") ? -ENOENT : 0;
}

static void test_requires(void **state)
{
	char buf[200];

	(void)state;
	assert_null(cmd_requires_missing("", never, buf, sizeof(buf)));
	assert_null(cmd_requires_missing("sh:dash", never, buf, sizeof(buf)));
	assert_non_null(cmd_requires_missing("sh:dash memcslap:libmemcached-tools", never, buf,
					     sizeof(buf)));
	assert_string_equal(buf, "memcslap not installed: apt-get install libmemcached-tools");
	assert_non_null(cmd_requires_missing("/usr/lib/postgresql/15/bin/postgres:postgresql-15",
					     never, buf, sizeof(buf)));
	assert_string_equal(buf, "/usr/lib/postgresql/15/bin/postgres not installed: apt-get "
				 "install postgresql-15");
}

static void test_failure_reason(void **state)
{
	char buf[300];

	(void)state;
	assert_int_equal(cmd_failure("cmd", 0, 0, 1.0, "x", buf, sizeof(buf)), 0);
	assert_int_equal(cmd_failure("cmd", 3 << 8, 0, 1.0, "b | c", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "cmd exited with status 3; its stderr: b | c");
	assert_int_equal(cmd_failure("setup", 9, 0, 1.0, "", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "setup killed by signal 9; its stderr: (empty)");
	assert_int_equal(cmd_failure("cmd", 9, 1, 2.04, "", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "cmd killed at its timeout after 2.0 s; its stderr: (empty)");
}

/* The runner: stdout kept, the last 5 lines of stderr, the exit status, the deadline. */
static void test_runner(void **state)
{
	static struct hb_ctx ctx;
	struct hb_command_result r;
	const char *env[] = { "HB_TEST_X=42", NULL };
	char err[200], why[300];

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.fd = -1;
	assert_int_equal(hb_command_run(&ctx, "echo tps = $HB_TEST_X && for i in 1 2 3 4 5 6 7; "
					"do echo line$i >&2; done && exit 3", "/tmp", env,
					0, NULL, NULL, 0, &r, err, sizeof(err)), 0);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3);
	assert_string_equal(r.out, "tps = 42\n");
	assert_string_equal(r.err_tail, "line3 | line4 | line5 | line6 | line7");
	assert_int_equal(cmd_failure("cmd", r.status, r.timed_out, 0, r.err_tail, why,
				     sizeof(why)), 1);
	assert_string_equal(why, "cmd exited with status 3; its stderr: line3 | line4 | line5 | "
				 "line6 | line7");
	hb_command_result_free(&r);

	assert_int_equal(hb_command_run(&ctx, "pwd", "/tmp", NULL, 0, NULL, NULL, 0, &r, err,
					sizeof(err)), 0);
	assert_string_equal(r.out, "/tmp\n");
	assert_int_equal(r.status, 0);
	hb_command_result_free(&r);

	/* A background child holding stdout does not keep the run from ending. */
	assert_int_equal(hb_command_run(&ctx, "sleep 30 & echo started", NULL, NULL,
					200000000ull, NULL, NULL, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.timed_out, 0);
	assert_true(r.wall_ns < 20000000000ull);
	hb_command_result_free(&r);

	assert_int_equal(hb_command_run(&ctx, "echo before >&2 && sleep 30", NULL, NULL,
					300000000ull, NULL, NULL, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.timed_out, 1);
	assert_true(WIFSIGNALED(r.status));
	assert_string_equal(r.err_tail, "before");
	hb_command_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_several_metrics),
		cmocka_unit_test(test_no_match_is_unavailable_with_why),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_requires),
		cmocka_unit_test(test_failure_reason),
		cmocka_unit_test(test_runner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
