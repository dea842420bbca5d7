#!/bin/bash
# What adding a workload takes: tests/demo/fill.c (one file: parameters, work, headline, chart
# and claim as data) and one registry line make the workload run, chart and report in a binary
# that has them (hugebench-demo), with no line of harness/ changed.
. "$(dirname "$0")/lib.sh"
DEMO=${HB_DEMO:-./tests/demo/hugebench-demo}
[ -x "$DEMO" ] || skip_all "no $DEMO (built by make check)"
# It lives in tests/demo/, away from the Makefile: point it at the chart templates.
export HUGEBENCH_DATADIR=${HB_FIXTURES:-tests/fixtures}/../..

expect_exit 0 "list shows the new workload" "$DEMO" list
expect_out '^  fill +test-only' "fill listed with its summary"
expect_exit 0 "its --help comes from its table" "$DEMO" fill --help
expect_out 'passes' "parameter passes in --help"
expect_exit 2 "a bad value is refused" "$DEMO" run fill -p passes=1
expect_out "passes" "the refusal names the parameter"
expect_exit 2 "the real binary does not know it" "$HB" run fill
expect_exit 0 "run it on two backings" "$DEMO" run fill --backing 4k,thp --reps 3 -p size=8M \
	--seed 7 --quiet --out "$TMP/run"
n=$(grep -c '^fill,\(4k\|thp\),size=8M;passes=4,[123],ns_per_page,[0-9.]*,ns,' "$TMP/run/results.csv")
[ "$n" = 6 ] && pass "ns_per_page from the harness's sampler in each cell" ||
	fail "ns_per_page rows: $n, wanted 6"
grep -q '^fill,4k,.*,huge_coverage_pct,0,' "$TMP/run/results.csv" && pass "coverage proof for free" ||
	fail "no huge_coverage_pct row"
expect_exit 0 "every row it wrote is declared (its outputs' metrics, the harness's)" \
	"$DEMO" __metrics check "$TMP/run"
expect_exit 0 "its --help lists its rows" "$DEMO" fill --help
expect_out '^  ns_per_page +ns +time, lower is better' "ns_per_page, with unit and kind"
expect_exit 0 "plot it" "$DEMO" plot "$TMP/run"
md="$TMP/run/report.md"
grep -q '^## Workload fill' "$md" && pass "a report section" || fail "no report section"
grep -q '| rewrite time per 4 KiB (ns) | all |' "$md" && pass "its headline row" ||
	fail "no headline row"
grep -q '| huge pages make streaming stores faster |' "$md" && pass "its claim in the verdict table" ||
	fail "claim missing from the verdict table"
if command -v gnuplot >/dev/null; then
	[ -s "$TMP/run/plots/fill_ns.png" ] && pass "its chart" || fail "no chart fill_ns.png"
fi
done_tests
