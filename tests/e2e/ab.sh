#!/bin/bash
# `hugebench ab`: two sides interleaved cell by cell on a tiny profile, their results in DIR/a
# and DIR/b, compared by compare's rule. A side's parameter reaches only its own cells, and only
# those of its section; a side's knob (--b-knob) only its own cells, put back after each; a side
# whose binary cannot run has lost every cell.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/tiny.ini" <<'INI'
[bench]
reps = 2

[small]
workload = touch
backings = 4k
size = 8M
passes = 2

[other]
workload = touch
backings = 4k
size = 4M
passes = 2
INI

before=$(knob_snapshot)
# B differs in one section's parameter: whether that is worse is the comparison's business (2
# repetitions a side decide by ranges); here the run itself: exit 0 or 1, never 2 or more.
"$HB" ab --profile "$TMP/tiny.ini" --out "$TMP/same" --b-param small:passes=3 >"$TMP/out" 2>&1
rc=$?
[ "$rc" -le 1 ] && pass "ab ran and compared (exit $rc)" || { fail "ab exited $rc"; sed 's/^/    /' "$TMP/out" | head -20; }
after=$(knob_snapshot)
[ "$before" = "$after" ] && pass "knobs restored" || fail "knobs changed: $before -> $after"
for s in a b; do
	[ -s "$TMP/same/$s/results.csv" ] && [ -s "$TMP/same/$s/meta.json" ] &&
		pass "side $s: results.csv and meta.json" || fail "side $s has no results"
	n=$(grep -c ',status,ok,' "$TMP/same/$s/results.csv")
	[ "$n" = 4 ] && pass "side $s: 2 cells x 2 repetitions ok" || fail "side $s: $n ok cells, wanted 4"
done
# interleaved: a then b in repetition 1, b then a in repetition 2
order=$(grep -o 'ab: \[[0-9]*/[0-9]*\] [ab] touch 4k rep [12]' "$TMP/out" | awk '{print $3 $7}' | tr -d '\n')
[ "$order" = "a1b1a1b1b2a2b2a2" ] && pass "interleaved A B, then B A" || fail "order $order"
# the rows carry the profile's parameters, so the sides join; the cell's own run has B's
grep -q 'passes=2' "$TMP/same/b/results.csv" && ! grep -q 'passes=3' "$TMP/same/b/results.csv" &&
	pass "B's rows under the profile's parameters" || fail "B's rows do not join A's"
grep -q 'passes=3' "$TMP"/same/cells/b/touch-4k-r1-small/results.csv &&
	! grep -q 'passes=3' "$TMP"/same/cells/b/touch-4k-r1-other/results.csv &&
	! grep -q 'passes=3' "$TMP"/same/cells/a/touch-4k-r1-small/results.csv &&
	pass "--b-param small:passes=3 only in B's cells of section small" || fail "B's parameter misplaced"
expect_out "^host probe: " "the probe line first"
[ -s "$TMP/same/compare/compare.md" ] && pass "the comparison in DIR/compare" || fail "no DIR/compare"
"$HB" compare "$TMP/same/a" "$TMP/same/b" >"$TMP/out" 2>&1
[ $? -le 1 ] && grep -q "^compare: [0-9]* figures of 2 cells in common" "$TMP/out" &&
	pass "compare reads the sides: 2 cells in common" || fail "compare cannot read the sides"

# Another run holds the machine as ab starts (here a holder of the run lock that lets go when
# told): ab's cells wait their turn instead of failing, and every cell is there in the end.
# A state directory of its own (HUGEBENCH_STATE_DIR), so that only this holder is waited for.
lockdir=$TMP/state
export HUGEBENCH_STATE_DIR=$lockdir
mkdir -p "$lockdir" && mkfifo "$TMP/go"
flock "$lockdir/run.lock" sh -c 'read -r _ <"$0"' "$TMP/go" &
holder=$!
held() { ! flock -n "$lockdir/run.lock" true; }
wait_until -p $holder "the holder to take $lockdir/run.lock" held
"$HB" ab --profile "$TMP/tiny.ini" --only small --out "$TMP/waited" >"$TMP/out" 2>&1 &
abpid=$!
waiting() { grep -q "waiting for the run of hugebench" "$TMP/out"; }
wait_until -p $abpid "ab's first cell to wait for the lock" waiting &&
	pass "ab's cell waits while another run holds the machine" || fail "ab's cell did not wait"
echo go >"$TMP/go"
wait $holder
wait $abpid
rc=$?
n=$(cat "$TMP"/waited/[ab]/results.csv 2>/dev/null | grep -c ',status,ok,')
[ "$rc" -le 1 ] && [ "$n" = 4 ] && pass "after the wait every cell ran (exit $rc, $n ok)" ||
	{ fail "ab after a wait: exit $rc, $n ok cells of 4"; sed 's/^/    /' "$TMP/out" | head -20; }
unset HUGEBENCH_STATE_DIR

# B's binary cannot run: every cell lost, exit 1
expect_exit 1 "ab with a B that cannot run" "$HB" ab --profile "$TMP/tiny.ini" --only small \
	--out "$TMP/bad" --b-bin /bin/false
expect_out " lost +ok in a; failed in b: side b: \`/bin/false run\` exited 1" "B's cells lost, saying why"

# --b-knob: B's cells set the knob for themselves (a row each), A's do not; it is back after.
if [ "$(id -u)" = 0 ]; then
	want=defer
	grep -q '\[defer\]' /sys/kernel/mm/transparent_hugepage/defrag && want=never
	before=$(knob_snapshot)
	"$HB" ab --profile "$TMP/tiny.ini" --only small --out "$TMP/knob" --b-knob thp/defrag=$want >"$TMP/out" 2>&1
	rc=$?
	[ "$rc" -le 1 ] && pass "ab --b-knob ran (exit $rc)" || { fail "ab --b-knob exited $rc"; sed 's/^/    /' "$TMP/out" | head -20; }
	[ "$(knob_snapshot)" = "$before" ] && pass "ab --b-knob: knobs restored" || fail "ab --b-knob: knobs changed: $before -> $(knob_snapshot)"
	n=$(grep -c ",knob:thp/defrag,$want," "$TMP/knob/b/results.csv")
	[ "$n" = 2 ] && pass "B's 2 cells have the row knob:thp/defrag=$want" || fail "B has $n knob rows, wanted 2"
	grep -q ',knob:' "$TMP/knob/a/results.csv" && fail "A's cells have a knob row" || pass "A's cells have no knob row"
	grep -q ",status,ok," "$TMP/knob/b/results.csv" && pass "B's cells ran" || fail "B's cells did not run"
	grep -q "^side b: .* --knob thp/defrag=$want$" "$TMP/knob/ab.txt" &&
		! grep -q "^side a: .*--knob" "$TMP/knob/ab.txt" && pass "ab.txt records B's knob" || fail "ab.txt: $(cat "$TMP/knob/ab.txt")"
fi

# bad input
expect_exit 2 "--b-knob: an unknown knob" "$HB" ab --profile "$TMP/tiny.ini" --b-knob thp/nosuch=1 --dry-run
expect_out "--b-knob thp/nosuch=1: unknown knob 'thp/nosuch'; accepted: thp/enabled, " "names the knobs accepted"
expect_exit 2 "--a-knob: a bad value" "$HB" ab --profile "$TMP/tiny.ini" --a-knob thp/defrag=sometimes --dry-run
expect_out "--a-knob thp/defrag=sometimes: .*accepted: always, defer, defer\+madvise, madvise, never" "names the values accepted"
expect_exit 2 "--b-knob: an mTHP size this kernel lacks" "$HB" ab --profile "$TMP/tiny.ini" --b-knob mthp/3kB/enabled=always --dry-run
expect_out "this kernel has no 3kB mTHP size; the sizes it has: " "names the sizes there are"
expect_exit 0 "ab --b-knob --dry-run" "$HB" ab --profile "$TMP/tiny.ini" --b-knob khugepaged/defrag=0 --dry-run
expect_out "^side b: .* --knob khugepaged/defrag=0$" "--dry-run shows B's knob"
expect_exit 2 "--b-param for no cell" "$HB" ab --profile "$TMP/tiny.ini" --b-param nosuch=1 --dry-run
expect_out "no cell of the profile has that parameter" "says which parameter"
expect_exit 2 "--b-env without =" "$HB" ab --profile "$TMP/tiny.ini" --b-env FOO --dry-run
expect_exit 2 "--a-bin not executable" "$HB" ab --profile "$TMP/tiny.ini" --a-bin /nonexistent --dry-run
expect_exit 0 "ab --dry-run" "$HB" ab --profile "$TMP/tiny.ini" --dry-run
expect_out "^ab: --dry-run: would run 8 cells \(4 a side, interleaved\)" "dry run counts the cells"
done_tests
