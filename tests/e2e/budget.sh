#!/bin/bash
# bench --budget --baseline: extra repetitions only for the cells still unknown against the
# baseline, while the budget lasts; and its bad input.
. "$(dirname "$0")/lib.sh"

prof() { # prof FILE REPS: two cheap cells that need no machine knob
	printf '[bench]\nreps = %s\n\n[touch]\nworkload = touch\nbackings = 4k,thp\nsize = 16M\n' \
		"$2" >"$1"
}
prof "$TMP/base.ini" 5
prof "$TMP/two.ini" 2
start=$(date +%s)
"$HB" bench --profile "$TMP/base.ini" --out "$TMP/run" --quiet >/dev/null 2>&1 ||
	fail "the baseline run failed"
# A whole run of 5 repetitions of these cells, start and end included, on this host now: more
# than the last round of one repetition may take beyond the budget.
base_took=$(($(date +%s) - start + 1))
"$HB" baseline "$TMP/run" "$TMP/base0" >/dev/null || fail "hugebench baseline failed"
# A baseline whose walk time is spread from 1 ns to 3 us, whatever this machine measures: its
# range holds any new figure (so two repetitions cannot decide: the ranges overlap) and no U
# test can tell ~10 ns apart from it either. So the verdict stays unknown, by construction,
# and the budget must spend rounds on exactly these cells. (Numbers have no note in a
# baseline, so the last fields of a numeric row are rep, metric, value, unit, note.)
mkdir -p "$TMP/base"
cp "$TMP/base0/meta.json" "$TMP/base/"
awk -F, -v OFS=, 'NR > 1 && $NF == "" && $(NF - 3) == "ns_per_touch" {
		split("1 2 1000 2000 3000", v, " "); $(NF - 2) = v[$(NF - 4)] }
	{ print }' "$TMP/base0/results.csv" >"$TMP/base/results.csv"
grep -q ',5,ns_per_touch,3000,' "$TMP/base/results.csv" || fail "the spread baseline was not written"

# Two repetitions cannot decide a time against such a baseline: the budget adds rounds for
# exactly those cells, numbered after the profile's repetitions.
start=$(date +%s)
expect_exit 0 "bench with a budget" "$HB" bench --profile "$TMP/two.ini" --out "$TMP/new" \
	--budget 40s --baseline "$TMP/base"
took=$(($(date +%s) - start))
[ "$took" -le $((40 + base_took)) ] &&
	pass "stayed within the budget ($took s of 40 s, plus the last round: at most $base_took s here)" ||
	fail "took $took s with a budget of 40 s (a round here: at most $base_took s)"
expect_out "budget: repetition 3 of the [0-9]+ cells still unknown" "says which round runs and why"
rounds=$(sed -n 's/.*"rounds": *\([0-9]*\).*/\1/p' "$TMP/new/meta.json")
[ "${rounds:-0}" -ge 1 ] && pass "meta.json records $rounds budget rounds" ||
	fail "no budget rounds in meta.json"
grep -q '^touch,4k,[^,]*,3,status,ok' "$TMP/new/results.csv" &&
	pass "the 4k cell got a third repetition" || fail "no rep 3 of the 4k cell"
n3=$(grep -c ',3,ns_per_touch,' "$TMP/new/results.csv")
[ "$n3" -ge 1 ] && pass "extra repetitions carry the figures ($n3 rows of rep 3)" ||
	fail "rep 3 has no ns_per_touch"

# Bad input: exit 2, nothing run.
expect_exit 2 "--baseline without --budget" "$HB" bench --profile "$TMP/two.ini" \
	--baseline "$TMP/base"
expect_out "needs --budget" "says --baseline needs --budget"
expect_exit 2 "--budget that is no duration" "$HB" bench --profile "$TMP/two.ini" --budget soon \
	--baseline "$TMP/base"
expect_out "--budget 'soon'" "names the bad budget"
expect_exit 2 "--baseline that is no results directory" "$HB" bench --profile "$TMP/two.ini" \
	--budget 1m --baseline "$TMP/nosuch"
expect_out "nosuch" "names the bad baseline"
done_tests
