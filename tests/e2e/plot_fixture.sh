#!/bin/bash
# `hugebench plot` on a hand-made results directory (tests/fixtures/results-mini: rows for
# touch, sparse, forkcow and churn as their issues name them, churn time series): every chart
# file, a report with each workload's table, skipped cells and the reproducing command.
. "$(dirname "$0")/lib.sh"

cp -r "$HB_FIXTURES/results-mini" "$TMP/mini"
rm -rf "$TMP/mini/plots" "$TMP/mini/report.md" "$TMP/mini/report.html"
expect_exit 0 "plot the fixture" "$HB" plot "$TMP/mini"
md="$TMP/mini/report.md"
if command -v gnuplot >/dev/null; then
	for c in touch_ns sparse_sweep sparse_ns sparse_bloat forkcow_fork forkcow_copied \
		forkcow_latency_1 churn_memory churn_ops churn_p99 defrag_fault_p99 defrag_coverage; do
		for ext in png svg; do
			[ -s "$TMP/mini/plots/$c.$ext" ] && pass "chart $c.$ext" || fail "no chart $c.$ext"
		done
		grep -q "plots/$c.png" "$TMP/mini/report.html" && pass "$c inline in report.html" ||
			fail "$c not in report.html"
	done
	# The sweep marks the caches and the cpuid TLB reach of meta.json.
	grep -q "dTLB reach 4K pages: 12M" "$TMP/mini/plots/sparse_sweep_marks.gp" &&
		pass "TLB reach marked" || fail "TLB reach not marked"
else
	echo "note: gnuplot not installed: chart files not checked"
fi
for w in touch sparse forkcow churn; do
	grep -q "^## Workload $w" "$md" && pass "report has $w" || fail "report lacks $w"
done
grep -q '| figure | parameters | 4k | thp | hugetlb-2m | winner | winner / 4k |' "$md" &&
	pass "table per backing with winner and ratio" || fail "no backing table"
grep -q '| fork time per GiB (ms/GiB) | all | 2' "$md" && pass "forkcow headline row" ||
	fail "forkcow headline row missing"
# A winner, better or worse only where the noise allows it.
grep -q '| Rss / live after drain (ratio) | glibc | .* | cannot tell (an interval reaches within 2%) | - |' "$md" &&
	pass "no winner where the ranges overlap" || fail "a winner inside the noise"
grep -q 'Rss / live after drain 4% higher (cannot tell: the interval spans 1, glibc)' "$md" &&
	pass "no better/worse inside the noise" || fail "a better/worse inside the noise"
grep -q 'thp-always against 4k:' "$md" && pass "plain reading line" || fail "no reading line"
grep -q 'malloc cannot be given hugetlbfs pages' "$md" && pass "skipped cell with reason" ||
	fail "skipped cell missing"
grep -q 'hugebench bench --profile quick --out results-mini' "$md" && pass "reproducing command" ||
	fail "no reproducing command"
grep -q '; hypervisor KVM\.$' "$md" && pass "hypervisor named plainly" || fail "raw hypervisor name"
# A backing with no figure to compare gets no sentence (churn has no hugetlb-2m figures).
grep -q 'against 4k:\.$' "$md" && fail "empty reading sentence" || pass "no empty reading sentence"

# advise's balanced decision opens the report, right after the machine section, then the
# folklore verdicts.
grep '^## ' "$md" | sed -n 2,3p | tr '\n' '|' |
	grep -q '^## Decision (hugebench advise, balanced)|## Folklore against this machine|$' &&
	pass "decision, then verdict table, open the report" ||
	fail "decision and verdict table not after the machine section"
grep -q '^| claim | figure | this machine | verdict |$' "$md" && pass "verdict table header" ||
	fail "no verdict table header"
grep -q '^| THP makes fork faster | .*0.0395x \[0.0351-0.0395\], 5 pairs (confirmed) | confirmed |$' "$md" &&
	pass "confirmed claim from the fixture" || fail "fork claim not confirmed"
grep -q '^| fork snapshots copy 512x more under THP | .* | refuted: .* below the claimed range |$' \
	"$md" &&
	pass "refuted claim from the fixture" || fail "CoW claim not refuted"
grep -q '^| jemalloc + THP keeps memory the process freed | .*thp-always, jemalloc.* | confirmed |$' \
	"$md" && pass "claim on two figures of one backing" || fail "jemalloc claim not confirmed"
grep -q '^| THP makes TLB-bound code 5-30% faster | .* | - | not measured in this run: needs a dense random heap of 1G' \
	"$md" && pass "claim not measured, with what it needs" || fail "no not-measured claim"
grep -q '^| benchmarks on a fresh machine hide it | fault_p99_us / fault_p99_us_fresh, .* | confirmed |$' \
	"$md" && pass "claim against an aged cell's fresh twin" || fail "fresh-machine claim not confirmed"
grep -q '^| synchronous defrag stalls faults for milliseconds | fault_p99_us - fault_p99_us_fresh, .*difference +12140 \[+11780 to +14660\], 5 pairs (confirmed).* | confirmed |$' \
	"$md" && pass "stall claim on the p99's difference from the fresh twin's" ||
	fail "stall claim not confirmed"
grep -q '<th>verdict</th>' "$TMP/mini/report.html" && pass "verdict table in report.html" ||
	fail "no verdict table in report.html"

# A coverage overlay whose cells have one sample each says nothing: no chart, and why.
if command -v gnuplot >/dev/null; then
	for f in "$TMP"/mini/series/defrag-*.csv; do
		awk -F, 'NR == 1 || (($2 == "watch" || $2 == "madv_collapse") && !n++)' "$f" >"$f.1" &&
			mv "$f.1" "$f"
	done
	rm -rf "$TMP/mini/plots"
	expect_exit 0 "plot with one coverage sample per cell" "$HB" plot "$TMP/mini"
	[ -e "$TMP/mini/plots/defrag_coverage.png" ] && fail "a coverage chart of single points" ||
		pass "no coverage chart of single points"
	grep -q '^Chart defrag_coverage not drawn: each cell has one sample of it at most' "$md" &&
		pass "the report says why the chart is not drawn" || fail "no reason for the missing chart"
fi

# A workload with no rows gets no charts, and the report says so.
grep -v '^forkcow,' "$TMP/mini/results.csv" >"$TMP/r.csv" && mv "$TMP/r.csv" "$TMP/mini/results.csv"
rm -rf "$TMP/mini/plots"
expect_exit 0 "plot without forkcow rows" "$HB" plot "$TMP/mini"
ls "$TMP/mini/plots"/forkcow* >/dev/null 2>&1 && fail "forkcow charts made from no rows" ||
	pass "no forkcow charts"
grep -q 'No figures in this run for: forkcow' "$md" && pass "report names the missing workload" ||
	fail "missing workload not named"
grep -q '^| THP makes fork faster' "$md" && fail "a claim of a workload without rows in the table" ||
	pass "no table row for the claims of a workload without rows"
grep -q '^Claims of workloads this run did not include: .*"THP makes fork faster" (forkcow: forkcow under thp and 4k)' \
	"$md" && pass "those claims named below the table, with what decides them" ||
	fail "the claims of a workload without rows are not named"

# Without the chart templates: the report is still written and says why.
rm -rf "$TMP/mini/plots"
HUGEBENCH_DATADIR="$TMP/nowhere" expect_exit 0 "plot without templates" "$HB" plot "$TMP/mini"
grep -q 'No charts: the chart templates are missing' "$md" && pass "report says why no charts" ||
	fail "no reason for missing charts"

expect_exit 2 "plot a directory that is not a run" "$HB" plot "$TMP/nowhere"
expect_out "results.csv" "names the missing file"
done_tests
