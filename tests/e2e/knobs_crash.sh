#!/bin/bash
# Machine settings come back on every exit path: SIGINT mid-cell, SIGKILL of the harness
# mid-cell with its guardian killed first (as after a power loss: the next start restores
# them), and no cell child outlives its harness. faults_signals.sh covers the guardian's own
# restore after a SIGKILL.
. "$(dirname "$0")/lib.sh"
need_root "knobs_crash (changes the THP mode and hugetlb pool)"

before=$(knob_snapshot)
thp_enabled=/sys/kernel/mm/transparent_hugepage/enabled
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

children_of() { pgrep -P "$1" 2>/dev/null; }
cell_child() { [ -n "$(pgrep -P "$1" -f ' __cell ')" ]; }
kids_gone() { left=$(alive $kids); [ -z "$left" ]; } # sets left to those still running

# SIGINT mid-cell: exit 130, knobs back, a valid results.csv marking the cell interrupted.
"$HB" run touch --backing thp-always -p size=256M -p stride=8 -p passes=1000 --out "$TMP/int" >"$TMP/int.log" 2>&1 &
pid=$!
if wait_changed $pid; then
	pass "SIGINT test: thp-always cell running, mode changed"
	kill -INT $pid; wait $pid; rc=$?
	[ $rc = 130 ] && pass "SIGINT exit 130" || fail "SIGINT exit $rc"
	[ "$(knob_snapshot)" = "$before" ] && pass "SIGINT: knobs restored" || fail "SIGINT: knobs not restored"
	grep -q ',status,interrupted,' "$TMP/int/results.csv" && pass "SIGINT: cell marked interrupted" ||
		fail "SIGINT: no interrupted status"
	grep -q '"complete": false' "$TMP/int/meta.json" && pass "SIGINT: meta says incomplete" ||
		fail "SIGINT: meta.json"
else
	fail "SIGINT test: the knob never changed"; cat "$TMP/int.log"; wait $pid
fi

# SIGKILL mid-cell: the child dies with the harness; the next start restores the knobs.
for b in thp-always hugetlb-2m; do
	"$HB" run touch --backing $b -p size=256M -p stride=8 -p passes=1000 --out "$TMP/kill-$b" >"$TMP/kill.log" 2>&1 &
	pid=$!
	if ! wait_changed $pid; then
		fail "SIGKILL $b: the knob never changed"; cat "$TMP/kill.log"; wait $pid; continue
	fi
	# the knob is set before the cell's child is forked: without it the check below is empty
	wait_until -p $pid "the $b cell's child" cell_child $pid ||
		fail "SIGKILL $b: no cell child of $pid seen"
	kids=$(children_of $pid)
	guard=$(pgrep -P $pid -x hugebench-guard)
	[ -n "$guard" ] && kill -KILL $guard || fail "SIGKILL $b: no guardian to kill"
	kill -KILL $pid; wait $pid 2>/dev/null
	# PR_SET_PDEATHSIG kills the child; the kernel tears down its 256M meanwhile.
	wait_until "the cell's child to die with the harness" kids_gone
	[ -z "$left" ] && pass "SIGKILL $b: cell child gone with the harness" || fail "SIGKILL $b: children left: $left"
	[ "$(knob_snapshot)" != "$before" ] && pass "SIGKILL $b: knob still changed before rerun (as expected)" ||
		fail "SIGKILL $b: nothing was left to recover, test proves nothing"
	expect_exit 0 "SIGKILL $b: rerun" "$HB" run touch --backing 4k -p size=4M --out "$TMP/rerun-$b"
	expect_out "restored" "SIGKILL $b: rerun reports the restore"
	[ "$(knob_snapshot)" = "$before" ] && pass "SIGKILL $b: knobs back after rerun" ||
		fail "SIGKILL $b: knobs $(knob_snapshot)"
	grep -q 'recovered_knobs' "$TMP/rerun-$b/meta.json" && pass "SIGKILL $b: meta.json records the recovery" ||
		fail "SIGKILL $b: meta.json lacks recovered_knobs"
done
find /sys/fs/cgroup -maxdepth 6 -type d -name 'hugebench-*' 2>/dev/null | grep -q . &&
	fail "cgroups left after crash recovery" || pass "no cell cgroups left"
done_tests
