#!/bin/bash
# tests/e2e/structure.sh on two made-up trees: one that keeps every rule (must pass) and
# one that breaks each rule once beside near misses the rules must let through (must fail
# with exactly the expected FILE:LINE: RULE lines).
set -u
CHECK="$(cd "$(dirname "$0")" && pwd)/structure.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hb-structure-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# lines N: N lines of a shell comment
lines() { for ((i = 0; i < $1; i++)); do echo "# line"; done; }

# A tree that keeps the rules.
mkclean() {
	local t=$1
	mkdir -p "$t/harness/api" "$t/harness/machine" "$t/harness/report" "$t/harness/results" \
		"$t/workloads" "$t/tests/unit"
	echo '/* api */' >"$t/harness/api/ctx.h"
	echo '/* api */' >"$t/harness/api/workload.h"
	echo '/* machine */' >"$t/harness/machine/sysinfo.h"
	cat >"$t/workloads/registry.c" <<-'EOF'
		#include "workload.h"
		extern const struct hb_workload hb_workload_alpha;
		const struct hb_workload *const hb_workloads[] = { &hb_workload_alpha, NULL };
	EOF
	cat >"$t/workloads/alpha.c" <<-'EOF'
		#include <sys/mman.h>
		#include "ctx.h"
		#include "alpha.h"
		#include "../harness/api/workload.h"
		static const struct hb_param rows[] = { { .name = "size" } };
		const struct hb_workload hb_workload_alpha = {
			.name = "alpha",
		};
		static int cmp_double(const void *a, const void *b);
		static uint64_t mix(uint64_t *s) { return *s += 0x9E3779B97F4A7C15ull; }
	EOF
	echo '/* alpha */' >"$t/workloads/alpha.h"
	echo 'Reads /proc/self/smaps through the harness.' >"$t/workloads/alpha.md"
	cat >"$t/workloads/beta.c" <<-'EOF'
		const struct hb_workload hb_workload_beta = {
			.name = "beta",
		};
	EOF
	cat >"$t/harness/report/report.c" <<-'EOF'
		/* Generic: a chart per declared output, e.g. alpha's bars. */
		static const char *label = "alphabet"; // beta in a line comment
		static const char *s = "a /* not a comment */ string"; /* alpha
		   still a comment, beta */
		int cmp_double(const void *a, const void *b)
		{
			return 0;
		}
		static int avail90(long a) { return a / 10 * 9; }
		static const char *const pcts[] = { "p50", "p999" };
	EOF
	cat >"$t/harness/results/results.c" <<-'EOF'
		static int mkdir_p(const char *dir)
		{
			return 0;
		}
		static int betamax = 1; /* "betamax" is no workload name, nor "alphas" */ static int alphas;
		static const char *key = "thp.alpha"; /* a machine-record key, not the workload */
	EOF
	lines 600 >"$t/harness/report/long.sh"
	lines 900 >"$t/tests/unit/long_test.sh"
	cat >"$t/tests/unit/copies.c" <<-'EOF'
		static int mkdir_p(const char *dir) { return 0; }
		static int cmp_double(const void *a, const void *b) { return 0; }
	EOF
}

mkclean "$TMP/clean"
out=$(bash "$CHECK" "$TMP/clean" 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ "$out" = "structure: ok" ]; then pass "a tree that keeps the rules passes"
else fail "clean tree: exit $rc, wanted 0"; printf '%s\n' "$out" | sed 's/^/    /'; fi

# The same tree, each rule broken once.
mkclean "$TMP/bad"
b=$TMP/bad
printf '#include "sysinfo.h"\n#include "../harness/machine/sysinfo.h"\n' >>"$b/workloads/alpha.c"
echo 'static const char *p = "/sys/kernel/mm/transparent_hugepage/enabled";' >>"$b/workloads/alpha.c"
echo '/* reads /proc/vmstat */' >>"$b/workloads/alpha.h"
echo 'if (!strcmp(w, "alpha")) plot_beta();' >>"$b/harness/report/report.c"
echo '/* a file named after a workload */' >"$b/harness/results/alpha_rows.c"
echo '# one line too many' >>"$b/harness/report/long.sh"
printf 'static int mkdir_p(const char *d)\n{\n\treturn 0;\n}\n' >"$b/harness/machine/knobs.c"
echo 'static void step(uint64_t *s) { *s += 0x9e3779b97f4a7c15ull; }' >>"$b/harness/machine/knobs.c"
printf 'static int hb_cmp_double(const void *a,\n\t\t\t const void *b)\n' >>"$b/workloads/beta.c"
echo '{ "p99", 99 }, { "p999", 99.9 },' >>"$b/workloads/beta.c"
echo 'fits = need <= avail * 9 / 10;' >>"$b/workloads/beta.c"
echo 'err("at most 90% of MemAvailable");' >>"$b/harness/machine/knobs.c"

out=$(bash "$CHECK" "$b" 2>&1)
rc=$?
[ "$rc" = 1 ] && pass "a tree that breaks the rules fails (exit 1)" ||
	fail "broken tree: exit $rc, wanted 1"
want='workloads/alpha.c:11: workload-include
workloads/alpha.c:12: workload-include
workloads/alpha.c:13: workload-sysfs
workloads/alpha.h:2: workload-sysfs
harness/report/report.c:11: generic-names-workload
harness/report/report.c:11: generic-names-workload
harness/results/alpha_rows.c:1: generic-names-workload
harness/report/long.sh:601: file-too-long
harness/machine/knobs.c:1: duplicate-mkdir_p
harness/results/results.c:1: duplicate-mkdir_p
harness/machine/knobs.c:5: duplicate-splitmix64
workloads/alpha.c:10: duplicate-splitmix64
harness/report/report.c:5: duplicate-cmp_double
workloads/beta.c:4: duplicate-cmp_double
harness/report/report.c:10: duplicate-percentiles
workloads/beta.c:6: duplicate-percentiles
harness/machine/knobs.c:6: duplicate-memavail90
harness/report/report.c:9: duplicate-memavail90
workloads/beta.c:7: duplicate-memavail90'
got=$(printf '%s\n' "$out" | grep -v '^structure: ' | sed 's/^\([^:]*:[0-9]*: [a-z0-9_-]*\):.*/\1/')
if [ "$(printf '%s\n' "$got" | sort)" = "$(printf '%s\n' "$want" | sort)" ]; then
	pass "every broken rule is reported once, with its file and line, and no near miss is"
else
	fail "violations differ (< wanted, > got):"
	diff <(printf '%s\n' "$want" | sort) <(printf '%s\n' "$got" | sort) | sed 's/^/    /'
fi
printf '%s\n' "$out" | grep -q '^structure: 19 violation(s)$' && pass "the count is printed" ||
	fail "no 'structure: 19 violation(s)' line"
printf '%s\n' "$out" | grep -q "names '/sys/kernel/mm/transparent_hugepage/enabled'" &&
	pass "a sysfs violation names the path" || fail "the sysfs path is not named"

# Rule 6 on a tree of its own: the commands and the run engine name no workload (strings
# count, comments and near misses do not; a workload in a folder of its own counts too).
mkclean "$TMP/engine"
e=$TMP/engine
mkdir -p "$e/harness/cli" "$e/harness/run" "$e/workloads/gamma"
printf 'const struct hb_workload hb_workload_gamma = {\n\t.name = "gamma",\n};\n' \
	>"$e/workloads/gamma/gamma.c"
cat >"$e/harness/cli/cmd_calibrate.c" <<-'EOF'
	/* pairs come from the workloads (alpha declares its twins) */
	static const char *pairs = "alphabet";
	static const char *bad = "gamma";
EOF
cat >"$e/harness/run/cell.c" <<-'EOF'
	static int betas; /* beta's cells */
	if (!strcmp(w->name, "alpha")) skip();
EOF
echo '/* a file named after a workload */' >"$e/harness/run/beta_cells.c"
out=$(bash "$CHECK" "$e" 2>&1)
want='harness/cli/cmd_calibrate.c:3: engine-names-workload
harness/run/cell.c:2: engine-names-workload
harness/run/beta_cells.c:1: engine-names-workload'
got=$(printf '%s\n' "$out" | grep -v '^structure: ' | sed 's/^\([^:]*:[0-9]*: [a-z0-9_-]*\):.*/\1/')
if [ "$(printf '%s\n' "$got" | sort)" = "$(printf '%s\n' "$want" | sort)" ]; then
	pass "rule 6: a workload named in harness/cli/ or harness/run/ is reported, a near miss is not"
else
	fail "rule 6 violations differ (< wanted, > got):"
	diff <(printf '%s\n' "$want" | sort) <(printf '%s\n' "$got" | sort) | sed 's/^/    /'
fi

out=$(bash "$CHECK" "$TMP/nowhere" 2>&1)
[ $? = 2 ] && pass "a directory that is no source tree is exit 2" || fail "no tree: not exit 2"

[ "$FAILS" = 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
exit 0
