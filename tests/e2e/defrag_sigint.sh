#!/bin/bash
# Ctrl-C while the fragmenter ages the machine for a defrag cell: the run ends interrupted
# (exit 130, the cell marked with the reason), and the THP defrag mode the cell set, the
# hugetlb pool the fragmenter used as a plug, its filler process and the memory it held are
# all back as found. Root only (the fragmenter needs it); needs ~8 GiB free.
. "$(dirname "$0")/lib.sh"
need_root "the fragmenter grows a hugetlb pool"
[ -w /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages ] ||
	skip_all "no hugetlb 2 MiB pool knob"

pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
# Free memory as the fragmenter counts it: MemAvailable leaves out the per-CPU free lists,
# where about 1 GiB of freed pages waits for seconds after the filler exits (Linux 6.18).
free_kib() {
	local a p
	a=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	p=$(awk '$1 == "count:" { s += $2 } END { print s * 4 }' /proc/zoneinfo)
	echo $((a + p))
}
mem0=$(free_kib)
[ "$mem0" -gt $((8 << 20)) ] || skip_all "needs 8 GiB free, $((mem0 >> 10)) MiB here"
before=$(knob_snapshot)
defrag0=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/defrag)
want=always
[ "$defrag0" = always ] && want=never

env --default-signal=INT "$HB" run defrag --backing thp -p size=1G -p watch=1s -p settle=0 \
	-p defrag=$want -p age=1 --out "$TMP/r" >"$TMP/run.log" 2>&1 &
pid=$!
# Aging is under way once the plug is in place; the defrag mode is set before it.
plugged() { [ "$(cat $pool)" -gt 0 ]; }
wait_until -p $pid "the fragmenter's plug in the hugetlb pool" plugged
[ "$(cat $pool)" -gt 0 ] && pass "aging under way (pool $(cat $pool) pages)" ||
	fail "the fragmenter never grew the pool"
grep -q "\[$want\]" /sys/kernel/mm/transparent_hugepage/defrag &&
	pass "defrag=$want set for the cell" || fail "defrag mode not set during aging"
# The Ctrl-C comes once the filler (the harness's child that leads its own process group)
# holds memory: mid-fill, where it lands on any host, not 0.3 s after the plug.
filling() {
	local c
	for c in $(pgrep -P $pid -f ' __cell '); do
		[ "$(ps -o pgid= -p "$c" | tr -d ' ')" = "$c" ] &&
			[ "$(awk '/^VmRSS:/ { print $2 }' "/proc/$c/status" 2>/dev/null)" -ge 16384 ] \
				2>/dev/null && return 0
	done
	return 1
}
wait_until -p $pid "the fragmenter's filler to hold 16 MiB" filling ||
	fail "never saw the filler holding memory"
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] && pass "interrupted: exit 130" || { fail "exit $rc after SIGINT"; cat "$TMP/run.log"; }
grep -q ',status,interrupted,' "$TMP/r/results.csv" && pass "the cell is marked interrupted" ||
	fail "no interrupted row: $(grep ',status,' "$TMP/r/results.csv")"
[ "$(knob_snapshot)" = "$before" ] && pass "defrag mode and every pool as found" ||
	fail "knobs changed: $before -> $(knob_snapshot)"
left=$(alive_named hugebench)
[ -n "$left" ] && fail "a hugebench process is left: $(ps -o pid,stat,args -p "${left// /,}")" ||
	pass "no filler or cell process left"
# The filler's pages go back as it exits; the per-CPU lists settle meanwhile.
mem_back() { mem=$(free_kib); [ $((mem * 100)) -ge $((mem0 * 98)) ]; }
wait_until "free memory back within 2% of $((mem0 >> 10)) MiB" mem_back
[ $((mem * 100)) -ge $((mem0 * 98)) ] &&
	pass "free memory back within 2% ($((mem0 >> 10)) -> $((mem >> 10)) MiB)" ||
	fail "free memory not back: $((mem0 >> 10)) -> $((mem >> 10)) MiB"
done_tests
