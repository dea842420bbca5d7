#!/bin/bash
# Counters in a real run: every wanted counter appears once per cell, hardware ones as
# `unavailable` with the reason when this machine gives none (ENOENT in a VM without a vPMU),
# and the software page-fault count agrees with getrusage minflt over the same phases.
. "$(dirname "$0")/lib.sh"

ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= 0.01 * b) }'; }

expect_exit 0 "sysinfo" "$HB" sysinfo
# "perf counters    hardware: available" or "... not available (<why>)"
hw=$(sed -n 's/^perf counters *hardware: //p' "$TMP/out")
case "$hw" in available*) hw=yes ;; esac
expect_out '^counters +default set .*libpfm4 PMU' "sysinfo names the default counter set"
expect_out '^dTLB metrics +dtlb_load_misses (yes|no)' "sysinfo says which dTLB metrics this machine gives"

# populate=walk: the measured phase takes the first-touch faults, 64M / 4K = 16384 of them.
expect_exit 0 "run touch 64M populate=walk on 4k" \
	"$HB" run touch --backing 4k -p size=64M -p populate=walk -p passes=3 --out "$TMP/r" -q
csv="$TMP/r/results.csv"
pf=$(metric "$csv" 4k pmu:perf::PAGE-FAULTS); mf=$(metric "$csv" 4k minflt_phases)
if [ "$pf" = unavailable ] && grep -q ',pmu:perf::PAGE-FAULTS,unavailable,.*not permitted' "$csv"; then
	# perf_event_paranoid=3 without CAP_PERFMON: the row says so, which is all it can do.
	pass "software counters not permitted here, and the row says why"; pf=$mf
fi
ge "$pf" 16384 && pass "page-faults $pf >= 16384 pages" || fail "page-faults '$pf'"
near "$pf" "$mf" && pass "page-faults $pf agrees with getrusage minflt $mf within 1%" ||
	fail "page-faults $pf vs minflt_phases $mf"
near "$(metric "$csv" 4k pmu:perf::MINOR-FAULTS)" "$mf" && pass "minor-faults agrees too" ||
	fail "minor-faults $(metric "$csv" 4k pmu:perf::MINOR-FAULTS) vs $mf"
for m in dtlb_load_misses dtlb_walks_completed dtlb_walk_cycles dtlb_misses_per_kilo_access \
	walk_cycles_pct accesses; do
	n=$(awk -F, -v m="$m" '$5 == m' "$csv" | wc -l)
	[ "$n" = 1 ] && pass "$m: one row" || fail "$m: $n rows"
done
# Hardware rows: every pmu: row but the software events every set ends with.
sw=',pmu:perf::(PAGE-FAULTS|MINOR-FAULTS|MAJOR-FAULTS|CONTEXT-SWITCHES|CPU-MIGRATIONS),'
hwrows=$(grep ',pmu:' "$csv" | grep -Evc "$sw")
[ "$hwrows" -ge 1 ] && pass "$hwrows hardware counter rows" || fail "no hardware counter rows"
if [ "$hw" = yes ]; then
	v=$(metric "$csv" 4k dtlb_load_misses)
	[ "$v" != unavailable ] && pass "hardware counters here: dtlb_load_misses $v" ||
		fail "hardware counters available but dtlb_load_misses unavailable"
else
	echo "note: no hardware counters here: $hw"
	bad=$(grep ',pmu:' "$csv" | grep -Ev "$sw" | grep -vc ',unavailable,events,".')
	[ "$bad" = 0 ] && pass "every hardware counter is unavailable with a reason" ||
		fail "$bad hardware rows are not 'unavailable' with a reason"
	if echo "$hw" | grep -q 'No such file'; then
		[ "$(grep ',pmu:' "$csv" | grep -Ev "$sw" | grep -vc 'ENOENT')" = 0 ] &&
			pass "the reason is ENOENT (no PMU exposed)" || fail "reason is not ENOENT"
		grep -q ',dtlb_load_misses,unavailable,misses,.*ENOENT' "$csv" &&
			pass "dtlb_load_misses unavailable: ENOENT" || fail "dtlb_load_misses row"
	fi
	grep ',pmu:[^,]*,0,' "$csv" | grep -Evq "$sw" &&
		fail "a hardware counter reads 0 without a PMU" || pass "no hardware counter reported as 0"
fi

# --events: any libpfm4 string; an unknown one is a row that says so, a malformed list is bad input.
expect_exit 0 "run with --events" "$HB" run touch --backing 4k -p size=4M -q --out "$TMP/e" \
	--events perf::PAGE-FAULTS,NO_SUCH_EVENT_X
grep -q ',pmu:NO_SUCH_EVENT_X,unavailable,events,"*event unknown on this CPU' "$TMP/e/results.csv" &&
	pass "unknown event: unavailable, event unknown on this CPU" || fail "unknown event row"
[ "$(metric "$TMP/e/results.csv" 4k pmu:perf::PAGE-FAULTS)" != unavailable ] &&
	pass "--events software event counted" || fail "--events software event"
grep -q ',dtlb_load_misses,unavailable,.*no event' "$TMP/e/results.csv" &&
	pass "without the default set: dtlb_load_misses says it has no event" || fail "no-event row"
expect_exit 2 "--events with an empty entry" "$HB" run touch --events a,,b -q --out "$TMP/x"
expect_out "events.*empty" "the message names --events"
done_tests
