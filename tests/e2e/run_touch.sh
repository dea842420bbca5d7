#!/bin/bash
# The foundation's proof: 4k / thp / hugetlb-2m really give what they say, and every memory
# figure counts what the process holds (hugetlb included). Root: it reserves a hugetlb pool.
. "$(dirname "$0")/lib.sh"
need_root "run_touch (hugetlb pool and memory cgroups)"

before=$(knob_snapshot)
expect_exit 0 "run touch 256M on 4k,thp,hugetlb-2m" \
	"$HB" run touch --backing 4k,thp,hugetlb-2m -p size=256M -p passes=3 --out "$TMP/r"
csv="$TMP/r/results.csv"
after=$(knob_snapshot)
[ "$before" = "$after" ] && pass "knobs and pools restored" || fail "knobs changed: $before -> $after"

status() { metric "$csv" "$1" status; }
cov() { metric "$csv" "$1" huge_coverage_pct; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

[ "$(status 4k)" = ok ] && pass "4k ok" || fail "4k status $(status 4k)"
le "$(cov 4k)" 1 && pass "4k coverage $(cov 4k)% ~ 0" || fail "4k coverage $(cov 4k)%"
if [ "$(cat /sys/kernel/mm/transparent_hugepage/enabled)" != "always madvise [never]" ]; then
	ge "$(cov thp)" 90 && pass "thp coverage $(cov thp)% >= 90" || fail "thp coverage $(cov thp)% (status $(status thp))"
fi
case "$(status hugetlb-2m)" in
ok) [ "$(cov hugetlb-2m)" = 100 ] && pass "hugetlb-2m coverage 100%" ||
	fail "hugetlb-2m coverage $(cov hugetlb-2m)%" ;;
skipped) echo "note: hugetlb-2m skipped: $(grep 'hugetlb-2m,.*,status,' "$csv")" ;;
*) fail "hugetlb-2m status $(status hugetlb-2m)" ;;
esac
for b in 4k thp hugetlb-2m; do
	[ "$(status $b)" = skipped ] && continue
	r=$(metric "$csv" $b rss_kib)
	ge "$r" 262144 && pass "$b rss_kib $r >= 256 MiB" || fail "$b rss_kib $r < 256 MiB"
done
c=$(metric "$csv" 4k charged_kib)
if [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	ge "$c" 262144 && pass "4k charged_kib $c >= 256 MiB (memory cgroup)" || fail "4k charged_kib '$c'"
else
	# No cgroup filesystem here (e.g. a chroot): the figure must say so, never be a number.
	grep -q '^touch,4k,.*,charged_kib,unavailable,KiB,.' "$csv" &&
		pass "no cgroupfs: charged_kib unavailable with a reason" || fail "charged_kib '$c' without cgroupfs"
fi
grep -q 'hugetlb-2m,.*,charged_kib,.*\(hugetlb pages are not charged\|unavailable\)' "$csv" &&
	pass "hugetlb charged_kib says hugetlb is not charged" || fail "hugetlb charged note missing"
grep -q ',thp_fault_alloc,.*machine-wide' "$csv" && pass "vmstat deltas say machine-wide" ||
	fail "vmstat deltas missing"
p=$(metric "$csv" 4k populate_ms); w=$(metric "$csv" 4k walk_ms)
[ -n "$p" ] && [ -n "$w" ] && pass "populate_ms ($p) apart from walk_ms ($w)" || fail "phase timings"
find /sys/fs/cgroup -maxdepth 6 -type d -name 'hugebench-*' 2>/dev/null | grep -q . &&
	fail "cell cgroups left behind" || pass "cell cgroups removed"

# thp-always changes the system mode for the cell only.
expect_exit 0 "thp-always cell" "$HB" run touch --backing thp-always -p size=16M --out "$TMP/a"
[ "$(knob_snapshot)" = "$before" ] && pass "thp-always restored the mode" || fail "mode not restored"
done_tests
