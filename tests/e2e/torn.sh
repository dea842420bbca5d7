#!/bin/bash
# No torn files: a small run killed at random points, 30 times (SIGKILL and SIGINT mixed, after
# 0-1.5 s). Every time the directory parses (`plot` and `compare` take it, exit 0 or 3, never 2 from
# a parse error; a directory with no results.csv yet is reported as such), every file is whole
# (results are written to a temporary name and renamed: a temporary left by a SIGKILL is ignored by
# the readers), and the knobs come back (SIGINT at once; SIGKILL at the next start, or the guardian
# where there is one). Bounded by the number of kills, not by a time (a time limit gives a slower
# host fewer kills than the test needs). 200 repetitions, so that the run is still going when the
# kill comes: without a memory cgroup (a chroot) a 4M cell takes ~30 ms, and 20 repetitions could
# end before 1.5 s.
. "$(dirname "$0")/lib.sh"

before=$(knob_snapshot)
backings=4k,thp
[ "$(id -u)" = 0 ] && backings=4k,thp-always # as root a knob changes during the cells
kills=0 parsed=0 absent=0 temps=0 pids=
for i in $(seq 30); do
	d="$TMP/r$i"
	# an async command of a script starts with SIGINT ignored: give it back its default
	env --default-signal=INT "$HB" run touch --backing $backings -p size=4M -p passes=2 \
		--reps 200 --out "$d" --quiet >"$TMP/run.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	sleep "$(awk -v s=$RANDOM 'BEGIN { printf "%.3f", (s % 1500) / 1000 }')"
	sig=KILL
	[ $((RANDOM % 2)) = 0 ] && sig=INT
	kill -$sig $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null; rc=$?
	if [ "$sig" = INT ] && [ "$rc" != 130 ] && [ "$rc" != 0 ]; then
		fail "kill $i: SIGINT: exit $rc"; cat "$TMP/run.log"
	fi
	[ "$sig" = INT ] && [ "$(knob_snapshot)" != "$before" ] &&
		fail "kill $i: SIGINT left the knobs changed"
	for f in $(find "$d" -type f 2>/dev/null); do
		case "$f" in
		*.tmp.*) temps=$((temps + 1)) ;;
		*.json) [ "$(tail -c 1 "$f")" = "}" ] || fail "kill $i: $f is not whole" ;;
		*.csv) [ -z "$(tail -c 1 "$f")" ] || fail "kill $i: $f does not end with a newline" ;;
		esac
	done
	if [ -f "$d/results.csv" ]; then
		"$HB" plot "$d" >"$TMP/plot.log" 2>&1; p=$?
		"$HB" compare "$d" "$d" >"$TMP/cmp.log" 2>&1; c=$?
		# a results.csv of the header alone has no cell to compare: said so, exit 2
		[ $c = 2 ] && [ "$(wc -l <"$d/results.csv")" = 1 ] &&
			grep -q "compare: no cell of" "$TMP/cmp.log" && c=0
		if { [ $p = 0 ] || [ $p = 3 ]; } && { [ $c = 0 ] || [ $c = 3 ]; }; then
			parsed=$((parsed + 1))
		else
			fail "kill $i ($sig): plot exit $p, compare exit $c"
			head -n 5 "$TMP/plot.log" "$TMP/cmp.log"
		fi
	else
		"$HB" plot "$d" >"$TMP/plot.log" 2>&1; p=$?
		if [ $p = 2 ] && grep -q "results.csv: No such file" "$TMP/plot.log"; then
			absent=$((absent + 1))
		else
			fail "kill $i ($sig): no results.csv, and plot said (exit $p): $(head -n 2 "$TMP/plot.log")"
		fi
	fi
done
[ "$kills" -ge 15 ] && pass "$kills kills landed" || fail "only $kills kills landed"
[ "$FAILS" = 0 ] && pass "every directory parsed ($parsed with results, $absent before any;" \
	"$temps temporaries left by SIGKILL, ignored)"
# Before the guardian: a SIGKILLed run's knobs and cgroup come back at the next start.
"$HB" restore >/dev/null 2>&1 ||
	"$HB" run touch --backing 4k -p size=64K -p passes=2 --out "$TMP/restore" --quiet >/dev/null 2>&1
[ "$(knob_snapshot)" = "$before" ] && pass "knobs restored" ||
	fail "knobs changed: $before -> $(knob_snapshot)"
left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'hugebench-*' 2>/dev/null)
[ -z "$left" ] && pass "no cgroup left" || fail "cgroups left: $left"
alive=
for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
[ -z "$alive" ] && pass "no process left" || fail "processes left:$alive"
done_tests
