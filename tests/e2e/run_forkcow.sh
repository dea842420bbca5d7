#!/bin/bash
# forkcow: dirtied_pages is the exact count of distinct pages written, a CoW fault copies
# 4 KiB on 4k pages and a whole 2 MiB page on hugetlb-2m, bad input is exit 2 before
# anything is populated, and the snapshot child never outlives an interrupted run.
. "$(dirname "$0")/lib.sh"

# Ratio within +-10% of a target: in_range VALUE TARGET.
in_range() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v != "" && v >= t * 0.9 && v <= t * 1.1) }'; }

# Bad input first: nothing runs, the message names the parameter and what is accepted.
expect_exit 2 "sink in a missing directory" "$HB" run forkcow --backing 4k \
	-p sink=/nonexistent-dir/dump
expect_out "parameter 'sink': sink '/nonexistent-dir/dump' cannot be written: No such file" \
	"sink message names the path and the errno text"
touch "$TMP/exists"
expect_exit 2 "sink that exists" "$HB" run forkcow --backing 4k -p sink="$TMP/exists"
expect_out "exists; the sink file is removed" "existing sink refused (it would be lost)"
[ -f "$TMP/exists" ] && pass "the existing file is untouched" || fail "existing file gone"
expect_exit 2 "size whose worst case does not fit" "$HB" run forkcow --backing 4k -p size=1T
expect_out "2 x size = 2T.*allow_overcommit=1" "overcommit message says what is needed"
expect_exit 2 "value_size over size" "$HB" run forkcow -p size=1M -p value_size=2M
expect_out "parameter 'value_size'" "value_size message"

need_root "run_forkcow cells (hugetlb pools, memory cgroups, THP modes)"
before=$(knob_snapshot)

# 8192 sequential writes of 512 bytes in each phase: the snapshot phase writes bytes
# 4 MiB..8 MiB (the baseline wrote the first 4 MiB), exactly 1024 distinct pages.
expect_exit 0 "forkcow 4k, known pattern" "$HB" run forkcow --backing 4k -p size=64M \
	-p dist=sequential -p value_size=512 -p writes=8192 -p snapshot=sleep -p hold=300ms \
	--out "$TMP/seq"
c="$TMP/seq/results.csv"
[ "$(metric "$c" 4k status)" = ok ] && pass "4k status ok" || fail "4k: $(grep ,status, "$c")"
[ "$(metric "$c" 4k dirtied_pages)" = 1024 ] && pass "dirtied_pages = 1024" ||
	fail "dirtied_pages $(metric "$c" 4k dirtied_pages), wanted 1024"
r=$(metric "$c" 4k copied_kib_per_dirtied_page)
in_range "$r" 4 && pass "4k: copied_kib_per_dirtied_page $r (4 +- 10%)" ||
	fail "4k: copied_kib_per_dirtied_page '$r', wanted 4 +- 10%"
for m in fork_us fork_ms_per_gib snapshot_ms write_p50_us_baseline write_p99_us_snapshot \
	write_p999_us_after write_max_us_snapshot writes_per_sec_after copied_kib copied_kib_charged; do
	v=$(metric "$c" 4k $m)
	[ -n "$v" ] && pass "$m = $v" || fail "no $m row"
done
[ "$(metric "$c" 4k writes_snapshot)" = 8192 ] && pass "8192 writes in the snapshot phase" ||
	fail "writes_snapshot $(metric "$c" 4k writes_snapshot)"

# The fork figures: the empty twin apart, and per GiB only what the dataset adds.
fu=$(metric "$c" 4k fork_us) fe=$(metric "$c" 4k fork_us_empty) fg=$(metric "$c" 4k fork_ms_per_gib)
awk -v e="$fe" -v f="$fu" 'BEGIN { exit !(e > 0 && e < f) }' &&
	pass "fork_us_empty $fe us is above 0 and below fork_us $fu" ||
	fail "fork_us_empty '$fe' against fork_us '$fu'"
awk -v e="$fe" -v f="$fu" -v g="$fg" 'BEGIN { w = (f - e) / 1e3 / (64 / 1024);
	exit !(g > w * 0.999 && g < w * 1.001) }' &&
	pass "fork_ms_per_gib $fg = (fork_us - fork_us_empty) per GiB of the 64M dataset" ||
	fail "fork_ms_per_gib '$fg' is not (fork_us - fork_us_empty) / size"

# The empty twin's forks run in setup, but are not populate: populate_ms leaves them out, says so.
ex=$(grep '^forkcow,4k,.*,populate_ms,' "$c" | head -1 |
	sed -n 's/.*less \([0-9.]*\) ms setup spent measuring something else.*/\1/p')
awk -v x="$ex" 'BEGIN { exit !(x > 0) }' &&
	pass "populate_ms leaves out the empty twin's $ex ms" ||
	fail "populate_ms: $(grep '^forkcow,4k,.*,populate_ms,' "$c" | head -1)"

# small_pct: that share of the dataset in 4 KiB pages on thp, the rest huge; on hugetlb a
# clear failure (it has no 4 KiB part).
expect_exit 0 "forkcow thp, small_pct=50" "$HB" run forkcow --backing thp -p size=64M \
	-p small_pct=50 -p writes=100 -p snapshot=sleep -p hold=1ms --out "$TMP/small"
c="$TMP/small/results.csv"
[ "$(metric "$c" thp small_kib)" = 32768 ] && pass "small_kib = 32768 (half of 64M)" ||
	fail "small_kib '$(metric "$c" thp small_kib)', wanted 32768"
cov=$(metric "$c" thp huge_coverage_pct)
awk -v c="$cov" 'BEGIN { exit !(c >= 45 && c <= 50.5) }' &&
	pass "thp coverage $cov % with half the dataset kept small" ||
	fail "thp coverage '$cov' with small_pct=50, wanted about 50"

# The read snapshot through a real file sink, rate-capped: the file is gone afterwards.
expect_exit 0 "forkcow read into a file sink" "$HB" run forkcow --backing 4k -p size=16M \
	-p sink="$TMP/dump" -p sink_rate=64M -p phase_time=50ms --out "$TMP/file"
c="$TMP/file/results.csv"
[ "$(metric "$c" 4k status)" = ok ] && pass "file sink ok" || fail "file sink: $(grep ,status, "$c")"
s=$(metric "$c" 4k snapshot_ms)
awk -v s="$s" 'BEGIN { exit !(s >= 200) }' && pass "16M at 64M/s took $s ms (>= 250 ms less slack)" ||
	fail "snapshot_ms $s: the rate cap did not hold"
[ ! -e "$TMP/dump" ] && pass "sink file removed" || fail "sink file left behind"

# hugetlb-2m: one write dirties one 4 KiB page and copies one 2 MiB page.
expect_exit 0 "forkcow hugetlb-2m, one write" "$HB" run forkcow --backing hugetlb-2m \
	-p size=64M -p writes=1 -p snapshot=sleep -p hold=200ms --out "$TMP/h"
c="$TMP/h/results.csv"
st=$(metric "$c" hugetlb-2m status)
if [ "$st" = ok ]; then
	r=$(metric "$c" hugetlb-2m copied_kib_per_dirtied_page)
	in_range "$r" 2048 && pass "hugetlb-2m: copied_kib_per_dirtied_page $r (2048 +- 10%)" ||
		fail "hugetlb-2m: copied_kib_per_dirtied_page '$r', wanted 2048 +- 10%"
	[ "$(metric "$c" hugetlb-2m copied_kib_charged)" = unavailable ] &&
		pass "hugetlb: charged view unavailable (not charged to memcg)" ||
		fail "hugetlb copied_kib_charged: $(metric "$c" hugetlb-2m copied_kib_charged)"
else
	echo "skip: hugetlb-2m cell $st: $(grep ,status, "$c")"
fi

# Ctrl-C in the middle of a snapshot: exit 130 and no snapshot child left.
"$HB" run forkcow --backing 4k -p size=32M -p snapshot=sleep -p hold=60s -p phase_time=50ms \
	--out "$TMP/int" >"$TMP/out" 2>&1 &
pid=$!
cow_child() { [ -n "$(alive_named hb-cow-child)" ]; }
wait_until -p $pid "the snapshot child (after populate and the baseline phase)" cow_child
cow_child && pass "snapshot child running" || fail "no snapshot child seen"
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] && pass "SIGINT: exit 130" || fail "SIGINT: exit $rc"
cow_child && fail "a snapshot child outlived the run: $(pgrep -a -x hb-cow-child)" ||
	pass "no snapshot child after the run"
[ "$(knob_snapshot)" = "$before" ] && pass "knobs restored" || fail "knobs not restored"
done_tests
