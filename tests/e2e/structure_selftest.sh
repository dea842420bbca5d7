#!/bin/bash
# tests/e2e/structure.sh on two made-up trees: one that keeps every rule (must pass) and
# one that breaks each rule once beside near misses the rules must let through (must fail
# with exactly the expected FILE:LINE: RULE lines). Then the layers on copies of the real
# tree: the copy passes; an upward include, a circle, a path include, a folder not in
# harness/LAYERS, code in api/ and a Makefile.am out of step with harness/LAYERS each fail;
# and, with a configured build, an upward include planted in a folder does not compile with
# the flags make builds that folder with (make print-flags).
set -u
CHECK="$(cd "$(dirname "$0")" && pwd)/structure.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
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
	printf '# lowest first\napi # the API\nmachine\nresults\nreport\n' >"$t/harness/LAYERS"
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
if [ "$rc" = 0 ] && [ "$(printf '%s\n' "$out" | grep -v '^layers: ')" = "structure: ok" ] &&
	printf '%s\n' "$out" | grep -qx 'layers: 0 circle(s) between folders, 0 upward edge(s)'; then
	pass "a tree that keeps the rules passes"
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
got=$(printf '%s\n' "$out" | grep -v '^structure: \|^layers: ' | sed 's/^\([^:]*:[0-9]*: [a-z0-9_-]*\):.*/\1/')
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
printf 'run\ncli\n' >>"$e/harness/LAYERS" # folders of their own, in their place
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
got=$(printf '%s\n' "$out" | grep -v '^structure: \|^layers: ' |
	sed 's/^\([^:]*:[0-9]*: [a-z0-9_-]*\):.*/\1/')
if [ "$(printf '%s\n' "$got" | sort)" = "$(printf '%s\n' "$want" | sort)" ]; then
	pass "rule 6: a workload named in harness/cli/ or harness/run/ is reported, a near miss is not"
else
	fail "rule 6 violations differ (< wanted, > got):"
	diff <(printf '%s\n' "$want" | sort) <(printf '%s\n' "$got" | sort) | sed 's/^/    /'
fi

# --- The layers, on copies of the real tree (its sources, harness/LAYERS and Makefile.am).
realcopy() {
	mkdir -p "$1" && (cd "$SRC" && find harness workloads -name .deps -prune -o -type f \
		\( -name '*.[ch]' -o -name LAYERS -o -name '*.md' \) -print | tar -cf - -T - \
		Makefile.am) | tar -xf - -C "$1"
}
# has OUT RULE-LINE-PREFIX: OUT has a violation line that starts so.
has() { printf '%s\n' "$1" | grep -qF -- "$2"; }
realcopy "$TMP/real"
out=$(bash "$CHECK" "$TMP/real" 2>&1)
rc=$?
if [ "$rc" = 0 ] && has "$out" 'layers: 0 circle(s) between folders, 0 upward edge(s)'; then
	pass "the real tree's copy passes: 0 circles, 0 upward edges"
else
	fail "real tree copy: exit $rc"; printf '%s\n' "$out" | sed 's/^/    /'
fi
printf '%s\n' "$out" | grep '^layers: ' | sed 's/^/    /'

# An upward include: core/ (a leaf) names run/'s cell.h. It also closes a circle, since run/
# includes core/.
cp -r "$TMP/real" "$TMP/up"
echo '#include "cell.h"' >>"$TMP/up/harness/core/units.c"
n=$(wc -l <"$TMP/up/harness/core/units.c")
out=$(bash "$CHECK" "$TMP/up" 2>&1)
rc=$?
if [ "$rc" = 1 ] && has "$out" "harness/core/units.c:$n: layer-upward: core includes \"cell.h\" of run" &&
	has "$out" "upward edge(s)" && ! has "$out" ", 0 upward edge(s)" && has "$out" ": layer-circle: "; then
	pass "an upward include fails the check, named with its file and line (and its circle)"
else
	fail "upward include: exit $rc"; printf '%s\n' "$out" | sed 's/^/    /'
fi

# A circle: results/ includes machine/'s sysinfo.h (downwards) and machine/ results.h
# (upwards): both folders of the circle are named, and it is counted.
cp -r "$TMP/real" "$TMP/circle"
echo '#include "sysinfo.h"' >>"$TMP/circle/harness/results/csvread.c"
echo '#include "results.h"' >>"$TMP/circle/harness/machine/vmstat.c"
out=$(bash "$CHECK" "$TMP/circle" 2>&1)
rc=$?
if [ "$rc" = 1 ] && has "$out" 'layers: 1 circle(s) between folders, 1 upward edge(s)' &&
	has "$out" ': layer-circle: machine -> results' && has "$out" ': layer-circle: results -> machine' &&
	has "$out" "harness/machine/vmstat.c:$(wc -l <"$TMP/circle/harness/machine/vmstat.c"): layer-upward"; then
	pass "a circle between two folders fails the check, with both of its edges"
else
	fail "circle: exit $rc"; printf '%s\n' "$out" | sed 's/^/    /'
fi

# The other ways around the layers: a path in an include, a folder harness/LAYERS does not
# list, code in api/, a folder's include paths in Makefile.am wider than its layer.
cp -r "$TMP/real" "$TMP/around"
echo '#include "../run/cell.h"' >>"$TMP/around/harness/core/knee.c"
mkdir "$TMP/around/harness/extra" && echo 'int x;' >"$TMP/around/harness/extra/x.c"
echo 'int y;' >"$TMP/around/harness/api/y.c"
sed -i 's|^HB_I_core = .*|& -I$(top_srcdir)/harness/run|' "$TMP/around/Makefile.am"
out=$(bash "$CHECK" "$TMP/around" 2>&1)
rc=$?
k=$(wc -l <"$TMP/around/harness/core/knee.c")
if [ "$rc" = 1 ] && has "$out" "harness/core/knee.c:$k: include-path" &&
	has "$out" 'harness/extra:1: layers-unlisted' && has "$out" 'harness/api/y.c:1: api-not-headers' &&
	printf '%s\n' "$out" | grep -q '^Makefile.am:[0-9]*: layers-makefile: HB_I_core '; then
	pass "a path include, an unlisted folder, code in api/ and a wider HB_I_core each fail"
else
	fail "around the layers: exit $rc"; printf '%s\n' "$out" | sed 's/^/    /'
fi

# The compiler holds the layers too: a file planted in core/ that includes run/'s cell.h does
# not compile with the flags make builds core/ with; the same file compiles with run/'s, and
# one that includes units.h (api) compiles with core/'s.
BUILD=${HB_BIN:+$(dirname "$HB_BIN")}
[ -n "$BUILD" ] && [ -f "$BUILD/Makefile" ] || BUILD=$SRC
if [ -f "$BUILD/Makefile" ] && flags=$(make -s --no-print-directory -C "$BUILD" print-flags 2>/dev/null); then
	core=$(printf '%s\n' "$flags" | sed -n 's/^core: //p')
	run=$(printf '%s\n' "$flags" | sed -n 's/^run: //p')
	up=$TMP/real/harness/core/planted_up.c
	ok=$TMP/real/harness/core/planted_ok.c
	printf '#include "cell.h"\nint hb_planted(void);\n' >"$up"
	printf '#include "units.h"\nint hb_planted(void);\n' >"$ok"
	err=$(eval "$core -fsyntax-only '$up'" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] && printf '%s\n' "$err" | grep -q 'cell\.h: No such file'; then
		pass "an upward include in core/ does not compile with core's flags ($(printf '%s\n' "$err" | grep -m1 'cell\.h' | sed "s|$TMP/real/||"))"
	else
		fail "the planted upward include: exit $rc with core's flags"; printf '%s\n' "$err" | sed 's/^/    /'
	fi
	if eval "$run -fsyntax-only '$up'" && eval "$core -fsyntax-only '$ok'"; then
		pass "the same include compiles with run's flags, and an api include with core's"
	else
		fail "the controls do not compile: the flags, not the layers, are wrong"
	fi
else
	echo "skip: no configured build tree (make print-flags); the compile half needs one"
fi

out=$(bash "$CHECK" "$TMP/nowhere" 2>&1)
[ $? = 2 ] && pass "a directory that is no source tree is exit 2" || fail "no tree: not exit 2"

[ "$FAILS" = 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
exit 0
