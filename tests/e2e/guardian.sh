#!/bin/bash
# The guardian and the stale state every command sees:
#  - an explicit --backing hugetlb-2m without root and without a pool is a skipped cell;
#  - while a cell runs, the run's guardian is a child of the harness named hugebench-guard, in
#    its own session, holding nothing of the harness's but its pipe (no other process holds
#    that pipe, so no long-lived child keeps it waiting), and SIGINT/SIGTERM/SIGHUP to it
#    change nothing mid-run; a Ctrl-C to the run's process group restores once, by the harness;
#  - with the guardian killed too, the state file stays: without root every command (list,
#    sysinfo, plot, compare) says what was left and how to fix it, sysinfo marks the value as
#    the crashed run's, `restore` exits 1 saying root is needed; as root `list` restores it,
#    one line per knob, and `restore` then has nothing to do.
. "$(dirname "$0")/lib.sh"
HBA=$(readlink -f "$HB")
thp_enabled=/sys/kernel/mm/transparent_hugepage/enabled
free2m=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
# as_user CMD...: CMD without root (nobody), or as is when the tests are not run as root.
as_user() {
	if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
chmod 711 "$TMP"
mkdir -m 777 "$TMP/nb"

# Explicit hugetlb without root or pool: a skipped cell with the reason, the rest runs.
if [ -r "$free2m" ] && [ "$(cat "$free2m")" = 0 ] && { [ "$(id -u)" != 0 ] || id nobody >/dev/null 2>&1; }; then
	as_user "$HBA" run touch --backing hugetlb-2m,4k -p size=4M --out "$TMP/nb/h" >"$TMP/out" 2>&1
	rc=$?
	[ $rc = 0 ] && pass "hugetlb-2m without root: exit 0, not a refused run" ||
		{ fail "hugetlb-2m without root: exit $rc"; cat "$TMP/out"; }
	grep -q '^touch,hugetlb-2m,.*,status,skipped,,.*needs root' "$TMP/nb/h/results.csv" 2>/dev/null &&
		pass "hugetlb-2m without root: skipped cell with the reason" || fail "hugetlb-2m: no skipped row"
	grep -q '^touch,4k,.*,status,ok,' "$TMP/nb/h/results.csv" 2>/dev/null &&
		pass "hugetlb-2m without root: the 4k cell ran" || fail "hugetlb-2m: no 4k row"
else
	echo "skip: the 2 MiB pool has free pages here or there is no user nobody"
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: the guardian parts need root"; done_tests; }

before=$(knob_snapshot)
pipe_of() { readlink "/proc/$1/fd/3" 2>/dev/null; }
# sig_mask PID FIELD: a signal mask line of /proc/PID/status (SigPnd, ShdPnd, SigIgn), in hex.
sig_mask() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
# delivered PID: no signal waits for PID any more (each was ignored, handled or fatal), or PID
# is gone: what a signal was going to do, it has done.
delivered() {
	[ -z "$(alive "$1")" ] && return 0
	[ "$(sig_mask "$1" SigPnd)$(sig_mask "$1" ShdPnd)" = 00000000000000000000000000000000 ]
}
# gone PID...: none of them runs any more.
gone() { [ -z "$(alive "$@")" ]; }

# The guardian of a running cell. setsid puts the run in its own group, as a shell job is.
# The cell's child is held (SIGSTOP) while the checks look at it: they read every fd of every
# process (seconds here, longer on a slower host) and must not outlast its 1000 passes.
setsid "$HB" run touch --backing thp-always -p size=256M -p stride=8 -p passes=1000 \
	--out "$TMP/g" --cell-timeout 10m >"$TMP/g.log" 2>&1 &
pid=$!
# hugebench execs every cell's child as `hugebench __cell ...` (its comm is the binary's file name)
cell_child() { kids=$(pgrep -P $pid -f ' __cell ' | tr '\n' ' '); [ -n "$kids" ]; }
if wait_changed $pid; then
	# the knob is set before the cell's child is forked
	wait_until -p $pid "the cell's child" cell_child && kill -STOP $kids
	g=$(pgrep -P $pid -x hugebench-guard)
	[ -n "$g" ] && pass "guardian: a child of the harness named hugebench-guard (pid $g)" ||
		fail "guardian: none among $(pgrep -P $pid | tr '\n' ' ')"
	[ "$(ps -o sid= -p "$g" | tr -d ' ')" = "$g" ] && pass "guardian: its own session" ||
		fail "guardian: session $(ps -o sid= -p "$g")"
	fds=$(ls /proc/$g/fd | sort -n | tr '\n' ' ')
	[ "$fds" = "0 1 2 3 " ] && pass "guardian: holds only stdio and its pipe" || fail "guardian fds: $fds"
	p=$(pipe_of "$g")
	holders=""
	for f in /proc/[0-9]*/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$p" ] || continue
		h=${f#/proc/}; h=${h%%/*}
		[ "$h" != "$g" ] && [ "$h" != "$pid" ] && holders="$holders $h"
	done
	case $p in pipe:*) ;; *) fail "guardian fd 3 is not a pipe: $p" ;; esac
	[ -n "$kids" ] && [ -z "$holders" ] &&
		pass "guardian: its pipe is held by the harness alone, not by the cell's child ($kids)" ||
		fail "guardian: its pipe $p is also held by:$holders (cell children: $kids)"
	[ "$(head -n 1 /run/hugebench/run.lock 2>/dev/null)" = "$pid" ] &&
		pass "run lock names the running harness" || fail "run.lock: $(cat /run/hugebench/run.lock)"
	# SIGHUP, SIGINT and SIGTERM are bits 0, 1 and 14 of the mask
	ign=$(sig_mask $g SigIgn)
	[ -n "$ign" ] && [ $((0x$ign & 0x4003)) = $((0x4003)) ] &&
		pass "guardian: ignores SIGINT, SIGTERM, SIGHUP" || fail "guardian SigIgn '$ign'"
	kill -INT $g; kill -TERM $g; kill -HUP $g
	wait_until "the signals to reach guardian $g" delivered $g
	[ -n "$(alive $g)" ] && pass "guardian: survives SIGINT, SIGTERM, SIGHUP" || fail "guardian died of a signal"
	grep -q '\[always\]' $thp_enabled && pass "guardian: restores nothing while the harness runs" ||
		fail "THP mode changed mid-run: $(cat $thp_enabled)"
	kill -CONT $kids # the cell runs again: the Ctrl-C lands on a running cell
	kill -INT -- -$pid # Ctrl-C to the whole group
	wait $pid; rc=$?
	[ $rc = 130 ] && pass "Ctrl-C to the group: exit 130" || fail "Ctrl-C: exit $rc"
	[ "$(knob_snapshot)" = "$before" ] && pass "Ctrl-C: knobs restored" || fail "Ctrl-C: $(knob_snapshot)"
	wait_until "guardian $g to exit" gone $g && pass "Ctrl-C: the guardian is gone" ||
		fail "guardian left: $(ps -o stat= -p "$g")"
	grep -q 'hugebench-guard' "$TMP/g.log" && fail "the guardian restored after a clean exit" ||
		pass "Ctrl-C: the guardian had nothing to do"
else
	fail "guardian: the knob never changed"; cat "$TMP/g.log"; wait $pid
fi

# Guardian and harness killed: the state file is all that is left.
"$HB" run touch --backing thp-always -p size=256M -p stride=8 -p passes=1000 --out "$TMP/s" \
	>"$TMP/s.log" 2>&1 &
pid=$!
if wait_changed $pid; then
	kids=$(pgrep -P $pid) # the guardian and the cell's child
	kill -KILL "$(pgrep -P $pid -x hugebench-guard)" $pid
	wait $pid 2>/dev/null
	# nothing of the run left that could still restore: the check below then means something
	wait_until "the guardian and the cell's child to exit" gone $kids
	grep -q '\[always\]' $thp_enabled && [ -s /run/hugebench/knobs.state ] &&
		pass "both killed: the mode stays changed, the state file lists it" ||
		fail "both killed: nothing left to recover, the test proves nothing"
	for c in list "sysinfo" "plot $TMP/nb/h" "compare $TMP/nb/none $TMP/nb/none"; do
		as_user "$HBA" $c >"$TMP/out" 2>&1
		expect_out "run \\(pid $pid\\) did not finish and left machine settings changed" \
			"not root, ${c%% *}: says a crashed run left settings changed"
		expect_out "$thp_enabled is always \\(left by a crashed hugebench run pid $pid: was madvise\\)" \
			"not root, ${c%% *}: names the knob, its value and the old one"
		expect_out 'sudo hugebench restore' "not root, ${c%% *}: says how to fix it"
	done
	as_user "$HBA" sysinfo 2>/dev/null >"$TMP/out"
	expect_out "^LEFT CHANGED +$thp_enabled=always \\(left by a crashed hugebench run pid $pid: was madvise\\)" \
		"not root, sysinfo: marks the value as the crashed run's"
	as_user "$HBA" sysinfo --json 2>/dev/null >"$TMP/out"
	expect_out '"left_by_crashed_run": \[' "sysinfo --json lists what was left"
	expect_exit 1 "not root, restore: cannot" as_user "$HBA" restore
	expect_out "needs root" "not root, restore: says root is needed"
	grep -q '\[always\]' $thp_enabled && pass "not root: nothing was changed" || fail "non-root changed it"
	expect_exit 0 "root, list: restores first" "$HB" list
	expect_out "^restored $thp_enabled to madvise \\(left by hugebench pid $pid" "root, list: one line per knob restored"
	[ "$(knob_snapshot)" = "$before" ] && pass "root, list: knobs back" || fail "after list: $(knob_snapshot)"
	find /sys/fs/cgroup -maxdepth 8 -type d -name "hugebench-$pid-*" 2>/dev/null | grep -q . &&
		fail "cell cgroup left" || pass "root, list: the cell cgroup removed"
	expect_exit 0 "restore with nothing left" "$HB" restore
	expect_out "nothing to restore" "restore says there was nothing to do"
	as_user "$HBA" sysinfo >"$TMP/out" 2>&1
	grep -q 'LEFT CHANGED\|did not finish' "$TMP/out" && fail "sysinfo still reports a crash" ||
		pass "after restore, sysinfo reports the machine's own values"
else
	fail "stale: the knob never changed"; cat "$TMP/s.log"; wait $pid
fi
[ "$(knob_snapshot)" = "$before" ] || fail "knobs at the end: $(knob_snapshot)"
done_tests
