#!/bin/bash
# `hugebench compare` on a real run of the ci profile on this machine (tests/fixtures/
# compare-base: `hugebench baseline` of it, 5 repetitions of every time) and on copies of it
# changed on purpose: itself, one figure 30% worse, a machine twice as slow, cells missing,
# and bad input.
. "$(dirname "$0")/lib.sh"

base="$HB_FIXTURES/compare-base"
# edit OUT WORKLOAD_RE BACKING_RE METRIC_RE ROW_RE FACTOR: a copy of base with the matching figures
# multiplied. Numbers have no note in a baseline, so the last five fields of a numeric row are
# rep, metric, value, unit and an empty note, whatever commas the quoted params hold.
edit() {
	mkdir -p "$1"
	cp "$base/meta.json" "$1/"
	awk -F, -v OFS=, -v w="$2" -v b="$3" -v m="$4" -v r="$5" -v f="$6" 'BEGIN { CONVFMT = "%.17g" }
		NR > 1 && $NF == "" && $1 ~ w && $2 ~ b && $(NF - 3) ~ m && $0 ~ r { $(NF - 2) = $(NF - 2) * f }
		{ print }' "$base/results.csv" >"$1/results.csv"
}
summary() { grep '^compare: ' "$TMP/out" | tail -1; }

expect_exit 0 "a run against itself" "$HB" compare "$base" "$base"
expect_out "compare: [0-9]+ figures of [0-9]+ cells in common: 0 lost, [0-9]+ same, 0 better, 0 worse, 0 changed, 0 unknown, 0 n/a" \
	"itself: every figure same"
expect_out "same machine settings" "itself: no machine differences"

# One memory figure 30% worse in every repetition: exactly that figure is worse.
edit "$TMP/worse" '^churn$' '^4k$' '^charged_kib_after_drain$' 'allocator=jemalloc' 1.3
grep -q 'jemalloc' "$TMP/worse/results.csv" || fail "fixture lacks the jemalloc churn cell"
expect_exit 1 "a 30% regression exits 1" "$HB" compare "$base" "$TMP/worse"
n=$(grep -cE ' worse( |$)' "$TMP/out")
[ "$n" = 1 ] && pass "exactly one figure worse" || fail "$n figures worse, wanted 1"
grep -E ' worse( |$)' "$TMP/out" | grep -q 'jemalloc.*charged_kib_after_drain' &&
	pass "the worse figure is charged_kib_after_drain" || fail "the wrong figure is worse"
grep -E ' worse( |$)' "$TMP/out" | grep -q 'U test.*p=0.0079' &&
	pass "decided by the U test (5 v 5 apart: p = 2/252)" || fail "not decided by the U test"
# The same regression inside a 40% threshold is no regression.
expect_exit 0 "--threshold 40% for it" "$HB" compare --threshold 'charged_kib_*=40' "$base" "$TMP/worse"

# A machine twice as slow: every time doubles, every rate halves. As measured that is worse;
# as ratios to the same repetition's 4k cell nothing changed.
mkdir -p "$TMP/slow"
cp "$base/meta.json" "$TMP/slow/"
awk -F, -v OFS=, 'BEGIN { CONVFMT = "%.17g" }
	NR > 1 && $NF == "" && $(NF - 1) ~ /^(ns|us|ms|ms\/GiB)$/ { $(NF - 2) = $(NF - 2) * 2 }
	NR > 1 && $NF == "" && $(NF - 1) == "ops/s" { $(NF - 2) = $(NF - 2) / 2 }
	{ print }' "$base/results.csv" >"$TMP/slow/results.csv"
expect_exit 1 "a slower machine, as measured: worse" "$HB" compare "$base" "$TMP/slow"
expect_exit 0 "a slower machine, relative to 4k" "$HB" compare --relative-to 4k "$base" "$TMP/slow"
expect_out "[0-9]+ same, 0 better, 0 worse, 0 changed, 0 unknown, 0 n/a; as ratios to 4k" \
	"relative to 4k: every figure same"
grep -E '^ *(touch|sparse|forkcow|churn) +4k ' "$TMP/out" >/dev/null &&
	fail "the 4k cells themselves are compared as ratios" || pass "the reference backing is no line"

# Cells missing on one side: n/a with the reason, and no failure.
mkdir -p "$TMP/missing"
cp "$base/meta.json" "$TMP/missing/"
grep -v '^forkcow,hugetlb-2m,' "$base/results.csv" >"$TMP/missing/results.csv"
expect_exit 0 "missing cells are not a regression" "$HB" compare "$base" "$TMP/missing"
expect_out "n/a +no such cell in missing" "missing cells: n/a, saying where"
expect_out " [1-9][0-9]* n/a" "missing cells counted as n/a"
# ... and the other way round: a cell only the new run has is n/a too, not left out.
expect_exit 0 "cells only in the new run" "$HB" compare "$TMP/missing" "$base"
expect_out "^forkcow +hugetlb-2m .*n/a +no such cell in missing" "a cell only in NEW: n/a, saying where"

# A lost capability: every hugetlb-2m cell skipped in NEW (as when the pool cannot be
# reserved) fails the gate, each cell listed first as lost with both reasons.
mkdir -p "$TMP/nohugetlb"
cp "$base/meta.json" "$TMP/nohugetlb/"
awk -F, -v OFS=, '$2 != "hugetlb-2m" { print; next }
	$(NF - 3) == "status" { $(NF - 2) = "skipped"; $NF = "the pool could not be reserved"; print }' \
	"$base/results.csv" >"$TMP/nohugetlb/results.csv"
nh=$(awk -F, '$2 == "hugetlb-2m" && $(NF - 3) == "status" && $4 == 1' "$base/results.csv" | wc -l)
[ "$nh" -ge 4 ] || fail "the fixture has $nh hugetlb-2m cells, wanted at least 4"
expect_exit 1 "every hugetlb-2m cell skipped: exit 1" "$HB" compare --profile ci "$base" "$TMP/nohugetlb"
nl=$(grep -cE '^[a-z]+ +hugetlb-2m .* status +.* lost +ok in .*skipped in nohugetlb: the pool could not be reserved' "$TMP/out")
[ "$nl" = "$nh" ] && pass "each of the $nh hugetlb-2m cells is lost, with both reasons" ||
	fail "$nl lost lines, wanted $nh"
first=$(grep -nE '^(touch|sparse|forkcow|churn) ' "$TMP/out" | head -1 | grep -c ' lost ')
[ "$first" = 1 ] && pass "lost lines come first" || fail "the first line is not lost"
expect_out "compare: [0-9]+ figures of [0-9]+ cells in common: $nh lost," "the summary counts them"

# A figure that was a number and is unavailable in NEW is lost too.
mkdir -p "$TMP/none"
cp "$base/meta.json" "$TMP/none/"
awk -F, -v OFS=, 'NR > 1 && $NF == "" && $(NF - 3) != "status" { $(NF - 2) = "unavailable" }
	{ print }' "$base/results.csv" >"$TMP/none/results.csv"
expect_exit 1 "every figure unavailable in NEW: lost, exit 1" "$HB" compare "$base" "$TMP/none"
expect_out "huge_coverage_pct .* lost +a number in compare-base .*unavailable in none" "an unavailable figure is lost"
# Nothing comparable: nothing measured on either side.
expect_exit 3 "nothing comparable exits 3" "$HB" compare "$TMP/none" "$TMP/none"
expect_out "nothing comparable" "says nothing is comparable"

# Machine differences come first.
sed 's/"enabled": "madvise"/"enabled": "never"/' "$base/meta.json" >"$TMP/missing/meta.json"
"$HB" compare "$base" "$TMP/missing" >"$TMP/out" 2>&1
head -3 "$TMP/out" | grep -Eq 'thp.enabled +madvise -> never' &&
	pass "a THP mode that differs is printed before the table" || fail "no machine difference"

# Bad input: exit 2, naming it.
expect_exit 2 "a directory that is not there" "$HB" compare "$base" "$TMP/nosuch"
expect_out "nosuch" "names the missing directory"
mkdir -p "$TMP/empty"
expect_exit 2 "a directory without results.csv" "$HB" compare "$TMP/empty" "$base"
expect_out "BASE $TMP/empty" "names the bad BASE"
expect_exit 2 "an unknown metric in --threshold" "$HB" compare --threshold nosuch_metric=5 "$base" "$base"
expect_out "nosuch_metric" "names the unknown metric"
expect_exit 2 "a threshold that is no number" "$HB" compare --threshold ns_per_access=lots "$base" "$base"
expect_exit 2 "an unknown format" "$HB" compare --format xml "$base" "$base"
expect_out "table, csv, md, json" "lists the formats"
expect_exit 2 "one directory only" "$HB" compare "$base"
expect_exit 2 "--relative-to a backing the run lacks" "$HB" compare --relative-to mthp-64k "$base" "$base"
mkdir -p "$TMP/touch" "$TMP/sparse"
for w in touch sparse; do
	cp "$base/meta.json" "$TMP/$w/"
	awk -F, -v w=$w 'NR == 1 || $1 == w' "$base/results.csv" >"$TMP/$w/results.csv"
done
expect_exit 2 "no cell in common" "$HB" compare "$TMP/touch" "$TMP/sparse"
expect_out "no cell of sparse is in touch: touch has touch 4k" "says which keys differ"

# --metrics adds figures that are no headline; without it they are not compared.
mini="$HB_FIXTURES/results-mini"
"$HB" compare "$mini" "$mini" >"$TMP/out" 2>&1
grep -q ' dirtied_pages ' "$TMP/out" && fail "dirtied_pages compared without --metrics" ||
	pass "no figure beyond the headlines by default"
expect_exit 0 "--metrics 'dirtied_*'" "$HB" compare --metrics 'dirtied_*' "$mini" "$mini"
expect_out "^forkcow +thp .* dirtied_pages .* same" "--metrics adds dirtied_pages, same against itself"

# Formats.
"$HB" compare --format csv "$base" "$TMP/worse" >"$TMP/csv" 2>/dev/null
head -1 "$TMP/csv" | grep -q '^new,workload,backing,params,metric,unit,base_n,base_median' &&
	pass "csv header" || fail "csv header: $(head -1 "$TMP/csv")"
[ "$(grep -c ',worse,' "$TMP/csv")" = 1 ] && pass "csv: one worse row" || fail "csv: worse rows"
"$HB" compare --format json "$base" "$TMP/worse" >"$TMP/json" 2>/dev/null
grep -q '"verdict": "worse"' "$TMP/json" && head -c1 "$TMP/json" | grep -q '{' &&
	pass "json" || fail "json output"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["counts"]["worse"] == 1' \
		"$TMP/json" && pass "json parses, counts worse 1" || fail "json does not parse"
fi
"$HB" compare --format md "$base" "$TMP/worse" >"$TMP/md" 2>/dev/null
grep -q '^| workload | backing |' "$TMP/md" && pass "markdown table" || fail "markdown table"

# The report, with two new runs (one group per run in the charts).
expect_exit 1 "compare --out with two new runs" "$HB" compare --out "$TMP/rep" "$base" "$TMP/worse" "$TMP/missing"
for f in compare.md compare.html compare.csv compare.json; do
	[ -s "$TMP/rep/$f" ] && pass "report $f" || fail "no report $f"
done
grep -q '^## Machine differences' "$TMP/rep/compare.md" && pass "report: machine differences" ||
	fail "report lacks machine differences"
if command -v gnuplot >/dev/null; then
	[ -s "$TMP/rep/plots/compare_churn_charged_kib_after_drain.png" ] &&
		pass "chart of charged after drain" || fail "no chart of charged after drain"
	grep -q 'plots/compare_forkcow_fork_ms_per_gib.png' "$TMP/rep/compare.html" &&
		pass "charts inline in compare.html" || fail "charts not in compare.html"
fi
ls "$TMP/rep" | grep -q '\.tmp' && fail "a temporary file is left" || pass "no temporary file left"
done_tests
