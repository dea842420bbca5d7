#!/bin/bash
# sparse: bad input is refused with the parameter named; a tiny sparse heap's resident memory
# is exact on 4k; a short sweep gives one row per working set and the derived rows.
. "$(dirname "$0")/lib.sh"

bad() { # bad PARAM-ARGS... : exit 2 naming the parameter in the first -p
	local name=${2%%=*}
	expect_exit 2 "sparse $*" "$HB" run sparse --backing 4k "$@" --out "$TMP/bad"
	expect_out "'$name'" "message names '$name'"
}
bad -p spacing=32 -p node_size=64
bad -p node_size=12
bad -p node_size=4
bad -p span=1M -p spacing=2M
bad -p writes=1 -p node_size=8
bad -p sweep=4G..4K
bad -p sweep=banana

need_root "run_sparse (memory cgroups, THP/hugetlb cells)"
before=$(knob_snapshot)
# 16 nodes, one per MiB: the heap holds 16 pages of 4 KiB, not more.
expect_exit 0 "sparse 16 nodes spacing 1M on 4k" "$HB" run sparse --backing 4k -p span=16M \
	-p spacing=1M -p duration=5ms -p samples=3 --out "$TMP/t"
csv="$TMP/t/results.csv"
[ "$(metric "$csv" 4k nodes)" = 16 ] && pass "16 nodes" || fail "nodes $(metric "$csv" 4k nodes)"
[ "$(metric "$csv" 4k heap_resident_kib)" = 64 ] && pass "heap resident 64 KiB = 16 pages" ||
	fail "heap resident $(metric "$csv" 4k heap_resident_kib) KiB, wanted 64"
[ "$(metric "$csv" 4k useful_kib)" = 1 ] && pass "useful 1 KiB" ||
	fail "useful $(metric "$csv" 4k useful_kib)"
[ "$(metric "$csv" 4k bloat_ratio)" = 64 ] && pass "bloat_ratio 64" ||
	fail "bloat $(metric "$csv" 4k bloat_ratio)"
a=$(metric "$csv" 4k accesses); h=$(metric "$csv" 4k hops_per_sample)
[ -n "$a" ] && [ "$a" = $((h * 4)) ] && pass "accesses $a = 4 samples x $h hops" ||
	fail "accesses '$a', hops_per_sample '$h'"

# loads fixes the hops per sample exactly.
expect_exit 0 "sparse loads=1000" "$HB" run sparse --backing 4k -p span=64K -p loads=1000 \
	-p samples=2 -p writes=1 --out "$TMP/l"
[ "$(metric "$TMP/l/results.csv" 4k accesses)" = 3000 ] && pass "loads=1000: 3000 accesses" ||
	fail "accesses $(metric "$TMP/l/results.csv" 4k accesses)"

# A short sweep on 4k and thp: one ns_per_access per size, translation rows per size, a knee
# row (a number or unavailable with a reason) and the cpuid reach per backing.
expect_exit 0 "sweep 4K..256K" "$HB" run sparse --backing 4k,thp -p sweep=4K..256K \
	-p duration=2ms -p samples=1 --out "$TMP/s"
csv="$TMP/s/results.csv"
n=$(grep -c '^sparse,4k,span=[0-9KM]*;.*,ns_per_access,' "$csv")
[ "$n" = 7 ] && pass "7 working sets on 4k" || fail "$n ns_per_access rows on 4k, wanted 7"
n=$(grep -c '^sparse,thp,span=.*,translation_ns,' "$csv")
[ "$n" = 7 ] && pass "7 translation_ns rows" || fail "$n translation_ns rows"
grep -q '^sparse,4k,.*,0,tlb_knee_kib,' "$csv" && pass "tlb_knee_kib row for 4k" ||
	fail "no knee row"
# The plateau is at 4 x LLC: a sweep that stops short of it has no knee and says why. Only
# when the harness knows the LLC (meta.json topology.llc_bytes, from sysfs): without it the
# knee is taken after the largest step, and 2 ms samples in cache can rise by noise alone
# (this guest has no /sys/devices/system/cpu/cpu0/cache, where getconf still says 510 MiB).
llc=$(grep -o '"llc_bytes": *[0-9]*' "$TMP/s/meta.json" | grep -o '[0-9]*$')
if [ "${llc:-0}" -ge 65536 ]; then
	grep -q '^sparse,4k,.*,0,tlb_knee_kib,unavailable,KiB,no knee up to 256K' "$csv" &&
		pass "no knee below 4 x LLC, said so" || fail "knee row: $(grep tlb_knee_kib "$csv" | head -1)"
else
	grep -Eq '^sparse,4k,.*,0,tlb_knee_kib,([0-9]+,KiB,.*LLC size unknown|unavailable,KiB,no knee up to 256K)' "$csv" &&
		pass "LLC unknown: the knee row says so or finds none" ||
		fail "knee row without an LLC: $(grep tlb_knee_kib "$csv" | head -1)"
fi
grep -q '^sparse,thp,.*,0,tlb_reach_kib,' "$csv" && pass "tlb_reach_kib row" || fail "no reach row"
[ "$(knob_snapshot)" = "$before" ] && pass "knobs restored" || fail "knobs changed"
done_tests
