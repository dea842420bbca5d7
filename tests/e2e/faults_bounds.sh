#!/bin/bash
# Every cell is bounded: a SIGSTOPped child is SIGKILLed at a short --cell-timeout (failed, with
# the note; the next cell runs; nothing left); a cell that outgrows its cgroup's memory limit
# is OOM-killed there, not by the global OOM killer (failed, with the note); a results
# directory on a tmpfs that fills up is a clear error naming the file, a non-zero exit, and
# no torn file. After each: knobs as they were, no process, no cgroup left.
. "$(dirname "$0")/lib.sh"
need_root "faults_bounds (memory cgroups, a tmpfs mount)"

before=$(knob_snapshot)
cgroups_left() { find /sys/fs/cgroup -maxdepth 6 -type d -name "hugebench-$1-*" 2>/dev/null; }
# after NAME PID: the knobs, the processes and the cgroups of run PID are as before.
after() {
	[ "$(knob_snapshot)" = "$before" ] && pass "$1: knobs restored" ||
		fail "$1: knobs changed: $before -> $(knob_snapshot)"
	[ -z "$(pgrep -P "$2")" ] && ! kill -0 "$2" 2>/dev/null && pass "$1: no process left" ||
		fail "$1: processes left: $(pgrep -P "$2") $2"
	[ -z "$(cgroups_left "$2")" ] && pass "$1: no cgroup left" ||
		fail "$1: cgroups left: $(cgroups_left "$2")"
}
# status CSV WORKLOAD: the status value and note of the workload's first cell.
status() { grep "^$2,.*,status," "$1" | head -n 1; }

# 1. A SIGSTOPped child at a 3 s limit from the profile; the next section runs as usual.
cat >"$TMP/stop.ini" <<'INI'
[stopped]
workload = sparse
backings = 4k
span = 8M
duration = 10s
samples = 5
cell_timeout = 3s

[next]
workload = touch
backings = 4k
size = 16M
passes = 2
INI
"$HB" bench --profile "$TMP/stop.ini" --out "$TMP/stop" >"$TMP/stop.log" 2>&1 &
pid=$!
child=
find_child() {
	local c
	for c in $(pgrep -P $pid); do
		# the cell's child leads its own process group (a guardian, if any, does not run
		# in a cell cgroup)
		[ "$(ps -o pgid= -p "$c" | tr -d ' ')" = "$c" ] || continue
		if have_memcg && ! grep -q hugebench- "/proc/$c/cgroup" 2>/dev/null; then continue; fi
		child=$c
	done
	[ -n "$child" ]
}
ended() { [ -z "$(alive "$1")" ]; }
if wait_until -p $pid "the sparse cell's child" find_child; then
	kill -STOP "$child"
	t0=$(date +%s.%N)
	# the harness's 3 s limit ends it, then the next cell; the wait's own bound is for a
	# harness that never does
	wait_until "the run to end after its child was stopped" ended $pid ||
		{ fail "stopped child: the run did not end"; kill -KILL "$child" $pid; }
	wait $pid; rc=$?
	took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	[ "$rc" = 4 ] && pass "stopped child: exit 4 (a cell failed)" || { fail "stopped child: exit $rc"; cat "$TMP/stop.log"; }
	s=$(status "$TMP/stop/results.csv" sparse)
	echo "$s" | grep -Eq ',status,failed,,"?timeout after 3\.[0-9] s \(limit 3 s from the profile.s \[stopped\] cell_timeout\)' &&
		pass "stopped child: failed with the timeout note (run ended ${took}s after the stop)" ||
		fail "stopped child: status row: $s"
	[ -d "/proc/$child" ] && fail "stopped child $child still exists" || pass "stopped child is gone"
	echo "$(status "$TMP/stop/results.csv" touch)" | grep -q ',status,ok,' &&
		pass "the next cell ran" || fail "next cell: $(status "$TMP/stop/results.csv" touch)"
	grep -q '"cell_timeout_s": 3' "$TMP/stop/meta.json" && pass "meta.json shows the limit" ||
		fail "meta.json lacks cell_timeout_s"
	grep -q 'cell timeout of sparse: 3 s' "$TMP/stop.log" && pass "progress shows the limit" ||
		fail "progress lacks the limit"
	after "stopped child" $pid
else
	fail "stopped child: never saw the cell's child"; cat "$TMP/stop.log"; kill $pid; wait $pid
fi

# 2. A churn cell whose real footprint (~200 MiB of values) exceeds a forced 64 MiB limit
# (HB_TEST_MEMLIMIT_KIB, test only): OOM-killed in its cgroup, failed, with the note. Its
# --cell-timeout, as the tmpfs run's below, only bounds a broken build: generous, minutes.
if have_memcg; then
	memcg_ooms() { dmesg 2>/dev/null | grep -c "constraint=CONSTRAINT_MEMCG.*oom_memcg=.*/hugebench-$1-churn"; }
	HB_TEST_MEMLIMIT_KIB=65536 "$HB" run churn --backing 4k -p keys=200000 \
		-p value_size=1000 -p churn_time=1s -p idle=0 -p refill=0 --out "$TMP/oom" \
		--cell-timeout 5m >"$TMP/oom.log" 2>&1 &
	pid=$!
	wait $pid; rc=$?
	[ "$rc" = 4 ] && pass "OOM: exit 4" || { fail "OOM: exit $rc"; cat "$TMP/oom.log"; }
	s=$(status "$TMP/oom/results.csv" churn)
	echo "$s" | grep -q "status,failed,,\"\?OOM at the cell's limit of 64 MiB (HB_TEST_MEMLIMIT_KIB" &&
		pass "OOM: failed with the note" || fail "OOM: status row: $s"
	if dmesg >/dev/null 2>&1; then
		[ "$(memcg_ooms $pid)" -ge 1 ] &&
			pass "OOM: the kernel says the cell's memory cgroup, not the machine" ||
			fail "OOM: no memcg OOM of hugebench-$pid in dmesg"
	fi
	after "OOM" $pid
	# the default limit is not in the way of a workload's own, lower one
	expect_exit 0 "churn with its own limit under the cell's" "$HB" run churn --backing 4k \
		-p keys=20000 -p churn_time=200ms -p idle=1s -p limit=8M -p limit_at=idle \
		--out "$TMP/own"
	grep -q '^churn,4k,.*,status,ok' "$TMP/own/results.csv" && pass "own limit: cell ok" ||
		fail "own limit: $(status "$TMP/own/results.csv" churn)"
else
	echo "SKIP: OOM at the cell's limit: no memory cgroup here"
fi

# 3. The results directory on a 200 KiB tmpfs that fills up.
full="$TMP/full"
mkdir -p "$full"
mount -t tmpfs -o size=200k none "$full" || skip_all "cannot mount a tmpfs"
trap 'umount "$full" 2>/dev/null; rm -rf "$TMP"' EXIT
"$HB" run touch --backing 4k,thp -p size=4M -p passes=2 --reps 30 --out "$full/run" \
	--cell-timeout 5m --quiet >"$TMP/full.log" 2>&1 &
pid=$!
wait $pid; rc=$?
[ "$rc" != 0 ] && pass "full tmpfs: non-zero exit ($rc)" || fail "full tmpfs: exit 0"
grep -Eq "cannot write $full/run/[a-z/_0-9.-]+: No space left on device" "$TMP/full.log" &&
	pass "full tmpfs: the error names the file" || { fail "full tmpfs: error"; cat "$TMP/full.log"; }
torn=
for f in $(find "$full/run" -type f); do
	case "$f" in
	*.tmp.*) torn="$torn $f(temp)" ;;
	*.json) [ "$(tail -c 1 "$f")" = "}" ] || torn="$torn $f" ;;
	*.csv) [ -z "$(tail -c 1 "$f")" ] || torn="$torn $f" # ends with a newline
		awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$f" ||
			case "$f" in */series/*) torn="$torn $f" ;; esac ;;
	esac
done
[ -z "$torn" ] && pass "full tmpfs: every file whole" || fail "full tmpfs: torn:$torn"
"$HB" compare "$full/run" "$full/run" >"$TMP/cmp.log" 2>&1; rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] && pass "full tmpfs: results.csv and meta.json parse (compare $rc)" ||
	{ fail "full tmpfs: compare exit $rc"; head "$TMP/cmp.log"; }
after "full tmpfs" $pid
umount "$full" && pass "tmpfs unmounted"
done_tests
