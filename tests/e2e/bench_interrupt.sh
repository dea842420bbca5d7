#!/bin/bash
# `hugebench bench` from a profile, stopped by SIGINT after its first cell: exit 130, the
# finished cells kept, meta.json marked incomplete, and the directory still plottable. A
# section for a workload this binary lacks is a skipped row, not a failure.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/p.ini" <<'INI'
[bench]
reps = 30

[walk]
workload = touch
backings = 4k,thp
size = 256M
passes = 40

[future]
workload = nosuchworkload
backings = 4k
span = 1G
INI
before=$(knob_snapshot)
"$HB" bench --profile "$TMP/p.ini" --out "$TMP/run" >"$TMP/stdout" 2>"$TMP/stderr" &
pid=$!
# The first cell's row, however long that cell takes here; 60 cells of 40 passes over 256M
# are far from done then.
first_row() { grep -q '^touch,.*,status,' "$TMP/run/results.csv" 2>/dev/null; }
wait_until -p "$pid" "the first cell's row in results.csv" first_row
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] && pass "bench interrupted: exit 130" || { fail "bench exit $rc"; cat "$TMP/stderr"; }
[ "$(tail -n 1 "$TMP/stdout")" = "$TMP/run" ] && pass "prints the run directory last" ||
	fail "stdout: $(cat "$TMP/stdout")"
after=$(knob_snapshot)
[ "$before" = "$after" ] && pass "knobs restored" || fail "knobs changed: $before -> $after"
n=$(grep -c '^touch,.*,status,ok' "$TMP/run/results.csv")
[ "$n" -ge 1 ] && [ "$n" -lt 60 ] && pass "$n finished cells kept" || fail "$n ok cells"
grep -q '"complete": false' "$TMP/run/meta.json" && pass "meta.json: complete false" ||
	fail "meta.json not marked incomplete"
grep -q '^nosuchworkload,4k,span=1G,1,status,skipped,,.*not built into' "$TMP/run/results.csv" &&
	pass "unknown workload is a skipped row" || fail "no skipped row for the unknown workload"
expect_exit 0 "plot the interrupted run" "$HB" plot "$TMP/run"
grep -q '^## Workload touch' "$TMP/run/report.md" && pass "report has the finished cells" ||
	fail "report lacks touch"
grep -q 'complete: no' "$TMP/run/report.md" && pass "report says the run is incomplete" ||
	fail "report does not say incomplete"

expect_exit 2 "bench with a bad profile" "$HB" bench --profile "$HB_FIXTURES/profiles/bad_param.ini"
expect_out "bad_param.ini:5:" "error names file and line"
expect_exit 2 "bench with an unknown profile name" "$HB" bench --profile nosuch
expect_out "no profile 'nosuch'" "says which profile"
done_tests
