#!/bin/bash
# defrag: small cells (fresh machine, no aging) on thp and thp-always: every figure the issue
# names is there and sane (percentiles in order, coverage a share, extents add up), the defrag
# and khugepaged knobs the cell set are back afterwards, MADV_COLLAPSE is timed and leaves
# coverage no lower, bad values are exit 2 naming them, and the coverage chart is drawn.
. "$(dirname "$0")/lib.sh"
need_root "defrag (thp-always and the defrag/khugepaged knobs)"

THP=/sys/kernel/mm/transparent_hugepage
snap() { echo "$(knob_snapshot) $(cat $THP/khugepaged/scan_sleep_millisecs $THP/khugepaged/pages_to_scan)"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
num() { awk -v a="$1" 'BEGIN { exit !(a == a + 0) }'; }

before=$(snap)
expect_exit 0 "run defrag 128M on thp,thp-always, defrag=always, repair=collapse" \
	"$HB" run defrag --backing 4k,thp,thp-always -p size=128M -p watch=2s -p settle=0 \
	-p defrag=always -p repair=collapse -p scan_sleep_ms=500 -p pages_to_scan=8192 \
	--series-interval 200ms --out "$TMP/r"
after=$(snap)
[ "$before" = "$after" ] && pass "defrag and khugepaged knobs restored" ||
	fail "knobs changed: $before -> $after"
csv="$TMP/r/results.csv"
m() { metric "$csv" "$1" "$2"; }

grep -q '^defrag,4k,.*,status,skipped,,.*thp, thp-always' "$csv" && pass "4k skipped with the reason" ||
	fail "4k not skipped with a reason"
for b in thp thp-always; do
	[ "$(m $b status)" = ok ] || fail "$b status $(m $b status)"
	for n in fault_p50_us fault_p99_us fault_p999_us fault_max_us fault_4k_baseline_us \
		huge_coverage_pct huge_coverage_pct_after_watch repair_s collapse_ms \
		thp_fault_alloc thp_fault_fallback compact_stall compact_success compact_fail \
		thp_collapse_alloc thp_collapse_alloc_failed extents; do
		num "$(m $b $n)" || fail "$b $n is '$(m $b $n)', not a number"
	done
	for n in fallback_fault_p50_us fallback_fault_max_us huge_fault_p50_us; do
		v=$(m $b $n)
		num "$v" || [ "$v" = unavailable ] || fail "$b $n is '$v'"
	done
	[ "$(grep -c "^defrag,$b,.*,1,collapse_ms," "$csv")" = 1 ] && pass "$b: one collapse_ms row" ||
		fail "$b: collapse_ms rows: $(grep -c "^defrag,$b,.*,1,collapse_ms," "$csv")"
	[ "$(grep -c "^defrag,$b,.*,1,huge_coverage_pct," "$csv")" = 1 ] &&
		pass "$b: one huge_coverage_pct row (after the touch, not after setup)" ||
		fail "$b: huge_coverage_pct rows: $(grep -c "^defrag,$b,.*,1,huge_coverage_pct," "$csv")"
	ge "$(m $b fault_p99_us)" "$(m $b fault_p50_us)" && ge "$(m $b fault_p999_us)" "$(m $b fault_p99_us)" &&
		ge "$(m $b fault_max_us)" "$(m $b fault_p999_us)" &&
		pass "$b percentiles in order: $(m $b fault_p50_us) <= $(m $b fault_p99_us) <= $(m $b fault_max_us) us" ||
		fail "$b percentiles out of order"
	[ "$(m $b extents)" = 64 ] && pass "$b: 64 extents of 2 MiB" || fail "$b extents $(m $b extents)"
	s=$(awk -v a="$(m $b extents_huge)" -v b="$(m $b extents_fallback)" -v c="$(m $b extents_unclassified)" \
		'BEGIN { print a + b + c }')
	[ "$s" = 64 ] && pass "$b: huge + fallback + unclassified = 64" || fail "$b: extents add up to $s"
	for n in huge_coverage_pct huge_coverage_pct_after_watch; do
		ge "$(m $b $n)" 0 && ge 100 "$(m $b $n)" && pass "$b $n $(m $b $n) in 0-100" ||
			fail "$b $n $(m $b $n)"
	done
	ge "$(m $b huge_coverage_pct_after_watch)" "$(m $b huge_coverage_pct)" &&
		pass "$b: coverage after collapse and watch $(m $b huge_coverage_pct_after_watch) >= $(m $b huge_coverage_pct)" ||
		fail "$b: coverage fell after collapse"
done
ge "$(m thp-always huge_coverage_pct)" 90 && pass "thp-always, defrag=always, fresh: coverage $(m thp-always huge_coverage_pct)% > 90" ||
	fail "thp-always fresh coverage $(m thp-always huge_coverage_pct)%"
head -1 "$TMP/r/series/defrag-thp-1-r1.csv" | grep -q ',huge_coverage_pct' &&
	pass "the watch's coverage series" || fail "no huge_coverage_pct column in the series"

# repair=none: khugepaged is kept off the region; the watch still reports.
expect_exit 0 "run defrag 64M on thp, repair=none" \
	"$HB" run defrag --backing thp -p size=64M -p watch=1s -p settle=0 -p repair=none --out "$TMP/n"
num "$(metric "$TMP/n/results.csv" thp repair_s)" && pass "repair=none: repair_s" || fail "repair=none: no repair_s"
grep -q ',collapse_ms,' "$TMP/n/results.csv" && fail "repair=none has collapse_ms" || pass "repair=none: no collapse_ms"

expect_exit 2 "a defrag mode that does not exist" "$HB" run defrag --backing thp -p defrag=sometimes
expect_out "defrag.*sometimes" "the refusal names the parameter and the value"
expect_exit 2 "a size that is no whole number of extents" "$HB" run defrag --backing thp -p size=3M
expect_out "size.*multiple of 2M" "the refusal names size"
[ "$before" = "$(snap)" ] && pass "knobs as found at the end" || fail "knobs changed at the end"

if command -v gnuplot >/dev/null; then
	expect_exit 0 "plot the run" "$HB" plot "$TMP/r"
	for c in defrag_fault_p99 defrag_baseline; do
		[ -s "$TMP/r/plots/$c.png" ] && pass "chart $c" || fail "no chart $c"
	done
	# The coverage overlay is drawn when a line moves; when every cell stayed at one value
	# (defrag=always on a fresh machine: 100% from the touch on) the report says so instead.
	if [ -s "$TMP/r/plots/defrag_coverage.png" ]; then
		[ "$(ls "$TMP"/r/plots/defrag_coverage_*.dat | wc -l)" = 2 ] &&
			pass "coverage overlay: a line per cell" ||
			fail "coverage overlay lines: $(ls "$TMP"/r/plots/)"
	else
		grep -q "^Chart defrag_coverage not drawn: every cell's line stays at one value" \
			"$TMP/r/report.md" && pass "flat coverage: no chart, and the report says why" ||
			fail "no coverage chart and no reason in the report"
	fi
fi
done_tests
