#!/bin/bash
# A profile's budget: the cells of a claim the paired rule cannot decide yet get more
# repetitions, up to the least that decide it (or max_reps); a set whose claims are decided
# (or that has none) gets none; the run says how many each set took.
. "$(dirname "$0")/lib.sh"

# forkcow decides "THP makes fork faster" on a time (the 90% interval needs 5 pairs) and the
# copy claim on a memory figure (one pair); touch has no claim and 3 repetitions of its own,
# so the extra rounds are numbered from 4 and forkcow's repetitions are 1, 2, 4, 5, 6...: the
# cap and the count are of repetitions, not of their numbers.
cat >"$TMP/p.ini" <<'INI'
[bench]
reps = 2
budget = 5m
max_reps = 8

[fc]
workload = forkcow
backings = 4k,thp
size = 32M

[t]
workload = touch
backings = 4k
size = 16M
reps = 3
INI
expect_exit 0 "bench with a claims budget" "$HB" bench --profile "$TMP/p.ini" --out "$TMP/run"
expect_out "budget: repetition 4 of the [0-9]+ cells with a claim still open" \
	"says which round runs and why"
line=$(grep -o 'repetitions: .*'  "$TMP/out" | tail -1)
fc=$(sed -n 's/.*fc \([0-9]*\).*/\1/p' <<<"$line")
t=$(sed -n 's/.*, t \([0-9]*\).*/\1/p' <<<"$line")
[ -n "$fc" ] && [ "$fc" -ge 5 ] && [ "$fc" -le 8 ] &&
	pass "the claim's set took $fc repetitions (5 decide at the least, the cap is 8): $line" ||
	fail "the claim's set took '${fc:-?}' repetitions: $line"
[ "$t" = 3 ] && pass "the set with no claim kept its 3 repetitions" ||
	fail "the set with no claim took '${t:-?}' repetitions: $line"
grep -q '"reps_per_set"' "$TMP/run/meta.json" && grep -q '"waits_for": *"with a claim still open"' \
	"$TMP/run/meta.json" && pass "meta.json records the repetitions and the budget" ||
	fail "meta.json lacks reps_per_set or the budget"
# Only the claim's cells ran extra rounds: both forkcow backings, never touch. The count of
# forkcow's repetitions is what the line says.
grep -q '^forkcow,thp,[^,]*,6,status,ok' "$TMP/run/results.csv" &&
	grep -q '^forkcow,4k,[^,]*,6,status,ok' "$TMP/run/results.csv" &&
	pass "both sides of the pair got repetition number 6 (their 5th)" ||
	fail "no repetition 6 of both forkcow cells"
n=$(grep -c '^forkcow,thp,[^,]*,[0-9]*,status,ok' "$TMP/run/results.csv")
[ "$n" = "$fc" ] && pass "forkcow ran $n repetitions, as the line says" ||
	fail "forkcow ran $n repetitions, the line says $fc"
grep -q '^touch,[^,]*,[^,]*,4,' "$TMP/run/results.csv" && fail "touch got a fourth repetition" ||
	pass "touch got no extra repetition"
# The report decides the fork claim, unless it stopped at the cap undecided, and says the rule.
"$HB" plot "$TMP/run" >/dev/null 2>&1 || fail "plot failed"
row=$(grep '^| THP makes fork faster' "$TMP/run/report.md")
if [ "$fc" -lt 8 ]; then
	grep -Eq '\| (confirmed|refuted)' <<<"$row" && pass "the fork claim is decided: ${row:0:300}" ||
		fail "the set stopped before the cap undecided: $row"
fi
grep -q "90% sign-test interval" "$TMP/run/report.md" && pass "the report states the rule" ||
	fail "the report does not state the rule"
done_tests
