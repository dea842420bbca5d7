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
for _ in $(seq 300); do [ "$(cat $pool)" -gt 0 ] && break; sleep 0.05; done
[ "$(cat $pool)" -gt 0 ] && pass "aging under way (pool $(cat $pool) pages)" ||
	fail "the fragmenter never grew the pool"
grep -q "\[$want\]" /sys/kernel/mm/transparent_hugepage/defrag &&
	pass "defrag=$want set for the cell" || fail "defrag mode not set during aging"
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] && pass "interrupted: exit 130" || { fail "exit $rc after SIGINT"; cat "$TMP/run.log"; }
grep -q ',status,interrupted,' "$TMP/r/results.csv" && pass "the cell is marked interrupted" ||
	fail "no interrupted row: $(grep ',status,' "$TMP/r/results.csv")"
[ "$(knob_snapshot)" = "$before" ] && pass "defrag mode and every pool as found" ||
	fail "knobs changed: $before -> $(knob_snapshot)"
pgrep -x hugebench >/dev/null && fail "a hugebench process is left: $(pgrep -a -x hugebench)" ||
	pass "no filler or cell process left"
# The filler's pages go back as it exits; allow the per-CPU lists a few seconds to settle.
for _ in $(seq 60); do
	mem=$(free_kib)
	[ $((mem * 100)) -ge $((mem0 * 98)) ] && break
	sleep 0.5
done
[ $((mem * 100)) -ge $((mem0 * 98)) ] &&
	pass "free memory back within 2% ($((mem0 >> 10)) -> $((mem >> 10)) MiB)" ||
	fail "free memory not back: $((mem0 >> 10)) -> $((mem >> 10)) MiB"
done_tests
