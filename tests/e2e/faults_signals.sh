#!/bin/bash
# Each way a run can end early, and what must hold after it: SIGINT and SIGTERM to the harness
# mid-cell; SIGKILL to the harness mid-cell on thp-always and on hugetlb-2m (its guardian puts
# the knobs back within 1 s, with no hugebench command afterwards: the time is printed);
# SIGKILL to a cell's child; two concurrent runs (the second refuses naming the first's pid, or
# waits with --wait-lock). After each: THP enabled/defrag, mTHP, khugepaged and every hugetlb
# pool as before, no process of the run left (guardian included), no cell cgroup left, and the
# results directory valid (finished cells complete, the interrupted one marked with why).
. "$(dirname "$0")/lib.sh"
need_root "faults_signals (changes the THP mode and hugetlb pool, kills the harness)"

snap() {
	knob_snapshot
	local f
	for f in /sys/kernel/mm/transparent_hugepage/khugepaged/{defrag,max_ptes_none,pages_to_scan,scan_sleep_millisecs,alloc_sleep_millisecs}; do
		[ -r "$f" ] && printf '%s=%s ' "$f" "$(cat "$f")"
	done
	echo
}
before=$(snap)
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Every process whose command line names this test's directory: harness, cell, guardian.
ours() { pgrep -f -- "$TMP/" 2>/dev/null | tr '\n' ' '; }
# none_left: no process of ours is running (set left to those that are).
none_left() { left=$(alive $(ours)); [ -z "$left" ]; }

# after WHAT PID DIR: the machine and the directory as they must be after any ending.
after() {
	local what=$1 pid=$2 dir=$3 left=""
	# the guardian exits once it has restored, a cell's child once its parent died
	wait_until "the processes of the run to exit" none_left
	[ -z "$left" ] && pass "$what: no process of the run left" ||
		{ fail "$what: processes left: $left"; ps -o pid,stat,comm,args -p "${left// /,}" 2>/dev/null; }
	[ "$(snap)" = "$before" ] && pass "$what: THP, mTHP, khugepaged and hugetlb pools as before" ||
		fail "$what: knobs $(snap)"
	find /sys/fs/cgroup -maxdepth 8 -type d -name "hugebench-$pid-*" 2>/dev/null | grep -q . &&
		fail "$what: cell cgroups left" || pass "$what: no cell cgroup left"
	if [ -n "$dir" ]; then
		# whole: written by rename, so a torn file would lack its last line or brace
		if [ -s "$dir/results.csv" ] && [ "$(tail -c 1 "$dir/results.csv" | od -An -c | tr -d ' ')" = '\n' ] &&
			[ "$(tail -c 2 "$dir/meta.json" | tr -d '\n')" = "}" ]; then
			pass "$what: results.csv and meta.json present and whole"
		else
			fail "$what: results directory $dir"
		fi
		"$HB" plot "$dir" >"$TMP/plot.log" 2>&1 && pass "$what: plot accepts the directory" ||
			{ fail "$what: plot failed"; tail -5 "$TMP/plot.log"; }
	fi
}

long_cell() { echo touch --backing "$1" -p size=256M -p stride=8 -p passes=1000; }

# SIGINT and SIGTERM mid-cell: exit 130, the cell marked interrupted with why, finished cells
# (a first 4k cell) kept whole. Each cell is 1000 passes over 256M: the thp-always cell is
# still running when its knob change is seen, however long the 4k cell before it took (~12 s
# here); --cell-timeout lets the 4k cell finish where it takes longer than the default 33 s.
for sig in INT TERM; do
	d=$TMP/sig-$sig
	"$HB" run touch --backing 4k,thp-always -p size=256M -p stride=8 -p passes=1000 --out "$d" \
		--cell-timeout 10m >"$TMP/$sig.log" 2>&1 &
	pid=$!
	# the 4k cell first (no knob), then thp-always changes the mode: it is running
	if wait_changed $pid snap; then
		kill -$sig $pid; wait $pid; rc=$?
		[ $rc = 130 ] && pass "SIG$sig: exit 130" || fail "SIG$sig: exit $rc"
		grep -q '^touch,4k,.*,status,ok,' "$d/results.csv" && pass "SIG$sig: finished cell kept" ||
			fail "SIG$sig: no ok row for the finished 4k cell"
		grep -q '^touch,thp-always,.*,status,interrupted,,run interrupted by a signal' "$d/results.csv" &&
			pass "SIG$sig: running cell marked interrupted with the reason" || fail "SIG$sig: no interrupted row"
		grep -q '"complete": false' "$d/meta.json" && pass "SIG$sig: meta.json complete false" ||
			fail "SIG$sig: meta.json"
		after "SIG$sig" $pid "$d"
	else
		fail "SIG$sig: the knob never changed"; cat "$TMP/$sig.log"; wait $pid
	fi
done

# SIGKILL of the harness mid-cell: the guardian restores, no hugebench command afterwards.
for b in thp-always hugetlb-2m; do
	d=$TMP/kill-$b
	"$HB" run $(long_cell $b) --out "$d" >"$TMP/kill.log" 2>&1 &
	pid=$!
	if ! wait_changed $pid snap; then
		fail "SIGKILL $b: the knob never changed"; cat "$TMP/kill.log"; wait $pid; continue
	fi
	t0=$(now_ms)
	kill -KILL $pid
	back=""
	while [ $(($(now_ms) - t0)) -le 1000 ]; do
		[ "$(snap)" = "$before" ] && { back=$(($(now_ms) - t0)); break; }
		sleep 0.05
	done
	wait $pid 2>/dev/null
	if [ -n "$back" ]; then
		pass "SIGKILL $b: knobs back ${back} ms after the kill, with no command run"
		echo "metric: restore_after_sigkill_${b}_ms=$back"
	else
		fail "SIGKILL $b: knobs not back within 1 s: $(snap)"
	fi
	grep -q 'hugebench-guard: the harness died; machine settings put back' "$TMP/kill.log" &&
		pass "SIGKILL $b: the guardian says what it put back" || fail "SIGKILL $b: no guardian report"
	[ ! -e /run/hugebench/knobs.state ] && pass "SIGKILL $b: no state file left" ||
		fail "SIGKILL $b: state file left"
	after "SIGKILL $b" $pid "$d"
done

# SIGKILL of a cell's child: that cell fails with the reason, the run goes on (exit 4).
d=$TMP/child
"$HB" run touch --backing thp-always,4k -p size=256M -p stride=8 -p passes=300 --out "$d" \
	--cell-timeout 10m >"$TMP/child.log" 2>&1 &
pid=$!
cell_child() { kid=$(pgrep -P $pid -f ' __cell ' | head -n 1); [ -n "$kid" ]; }
if wait_changed $pid snap; then
	# the knob is set before the cell's child is forked
	if wait_until -p $pid "the thp-always cell's child" cell_child; then
		kill -KILL $kid
	else
		fail "child SIGKILL: no cell child of $pid seen"
	fi
	wait $pid; rc=$?
	[ $rc = 4 ] && pass "child SIGKILL: exit 4 (a cell failed)" || fail "child SIGKILL: exit $rc"
	grep -q '^touch,thp-always,.*,status,failed,,.*signal 9\|^touch,thp-always,.*,status,failed,,.*Killed' "$d/results.csv" &&
		pass "child SIGKILL: the cell failed, saying how" ||
		{ fail "child SIGKILL: no failed row"; grep status "$d/results.csv"; }
	grep -q '^touch,4k,.*,status,ok,' "$d/results.csv" && pass "child SIGKILL: the run went on" ||
		fail "child SIGKILL: the next cell did not run"
	after "child SIGKILL" $pid "$d"
else
	fail "child SIGKILL: the knob never changed"; wait $pid
fi

# Two concurrent runs: the second refuses naming the first's pid (a run with no knob too),
# or with --wait-lock waits for it, then runs. The first is held (SIGSTOP) from the moment it
# holds the run lock until the waiter says it waits: it holds the machine for as long as the
# second and third need on any host, not for as long as its cell happens to run.
d=$TMP/first
"$HB" run touch --backing 4k -p size=64M -p passes=150 --out "$d" >"$TMP/first.log" 2>&1 &
pid=$!
holds_lock() { [ "$(head -n 1 /run/hugebench/run.lock 2>/dev/null)" = "$pid" ]; }
if wait_until -p $pid "run $pid to take the run lock" holds_lock; then
	kill -STOP $pid
else
	fail "the first run never held the run lock"
fi
expect_exit 5 "second run refused" "$HB" run touch --backing 4k -p size=4M --out "$TMP/second"
expect_out "another hugebench run holds the machine: pid $pid" "refusal names the holder's pid"
[ ! -e "$TMP/second" ] && pass "the refused run wrote nothing" || fail "the refused run made $TMP/second"
"$HB" run touch --backing 4k -p size=4M --out "$TMP/waiter" --wait-lock >"$TMP/waiter.log" 2>&1 &
waiter=$!
waits() { grep -q "waiting for the run of hugebench pid $pid" "$TMP/waiter.log"; }
wait_until -p $waiter "the --wait-lock run to say it waits" waits
kill -CONT $pid 2>/dev/null
wait $waiter
rc=$?
first_alive=$(alive $pid)
[ $rc = 0 ] && pass "--wait-lock run: exit 0" || { fail "--wait-lock run: exit $rc"; cat "$TMP/waiter.log"; }
grep -q "waiting for the run of hugebench pid $pid" "$TMP/waiter.log" && pass "--wait-lock says whom it waits for" ||
	fail "--wait-lock: no waiting line"
[ -z "$first_alive" ] && pass "--wait-lock ran after the first run ended" || fail "--wait-lock did not wait"
wait $pid; rc=$?
[ $rc = 0 ] && pass "first run: exit 0" || fail "first run: exit $rc"
grep -q '^touch,4k,.*,status,ok,' "$TMP/waiter/results.csv" && pass "--wait-lock run: its cell ran" ||
	fail "--wait-lock run: no ok row"
after "concurrent runs" $pid "$d"
done_tests
