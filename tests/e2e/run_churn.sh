#!/bin/bash
# churn: every allocator here completes a tiny run in an exec'd child with its preload, a
# missing one is a skipped row with the reason, the store loses no key, bad input is exit 2,
# the series has what the workload promises, knobs come back, an OOM kill is a result.
. "$(dirname "$0")/lib.sh"

tiny=(-p keys=3000 -p churn_time=200ms -p idle=100ms -p value_size=uniform:64-600)
for a in glibc jemalloc tcmalloc mimalloc; do
	"$HB" run churn --backing 4k "${tiny[@]}" -p allocator=$a -p verify=1 --out "$TMP/$a" \
		>"$TMP/out" 2>&1
	rc=$?
	csv="$TMP/$a/results.csv"
	st=$(metric "$csv" 4k status)
	if [ "$st" = skipped ]; then
		# Its only cell could not run here: exit 3, and the row says why.
		[ "$a" != glibc ] && [ $rc = 3 ] && grep -q "not installed" "$csv" &&
			pass "$a absent: skipped with reason, exit 3" ||
			fail "$a skipped (exit $rc): $(grep ',status,' "$csv")"
		continue
	fi
	[ $rc = 0 ] && pass "churn with $a (exit 0)" || { fail "churn with $a: exit $rc"; cat "$TMP/out"; }
	[ "$st" = ok ] && pass "$a status ok" || fail "$a status '$st': $(grep ',status,' "$csv")"
	grep -q ",allocator_version,.*,\"\?$a " "$csv" && pass "$a is the process's malloc (dlsym)" ||
		fail "$a: allocator_version row says otherwise: $(grep allocator_version "$csv")"
	for m in verify_missing_keys verify_bad_values verify_count_diff verify_live_bytes_diff; do
		v=$(metric "$csv" 4k $m)
		[ "$v" = 0 ] && pass "$a $m = 0" || fail "$a $m = '$v'"
	done
done

# A missing allocator: the library directory is an empty one.
mkdir -p "$TMP/nolib"
HUGEBENCH_ALLOCATOR_DIR="$TMP/nolib" "$HB" run churn --backing 4k "${tiny[@]}" \
	-p allocator=jemalloc --out "$TMP/miss" >"$TMP/out" 2>&1
grep -q '^churn,4k,.*,status,skipped,,jemalloc is not installed' "$TMP/miss/results.csv" &&
	pass "missing allocator: skipped row with the reason" ||
	fail "missing allocator: $(grep ',status,' "$TMP/miss/results.csv" 2>/dev/null)"

# The allocator's own complaint about its conf goes into the note.
if grep -q ',status,ok' "$TMP/jemalloc/results.csv"; then
	expect_exit 0 "jemalloc with a bad conf" "$HB" run churn --backing 4k "${tiny[@]}" \
		-p allocator=jemalloc -p allocator_conf=bogus:1 --out "$TMP/badconf"
	grep -q ',status,ok,,child stderr: <jemalloc>: Invalid conf pair: bogus:1' \
		"$TMP/badconf/results.csv" && pass "jemalloc's complaint in the note" ||
		fail "no complaint: $(grep ',status,' "$TMP/badconf/results.csv")"
fi

# Bad input names the parameter.
expect_exit 2 "pcts not summing to 100" "$HB" run churn -p get_pct=10
expect_out "'get_pct', 'set_pct', 'del_pct' must sum to 100" "pct message"
expect_exit 2 "bad distribution" "$HB" run churn -p value_size=lognormal:300
expect_out "parameter 'value_size'" "distribution message"
expect_exit 2 "keys x value_size beyond MemAvailable" "$HB" run churn --backing 4k \
	-p keys=1000000000 -p value_size=100000
expect_out "MemAvailable.*keys=1000000000" "fit message names the parameters"
expect_exit 2 "bad timing" "$HB" run churn -p timing=sample:0
expect_out "parameter 'timing'" "timing message"

# The series: memory views, the store's gauges and every phase (a sample at each phase
# change, so short phases show too, as long as the child is still there to be read).
expect_exit 0 "churn for the series" "$HB" run churn --backing 4k -p keys=100000 \
	-p churn_time=300ms -p idle=300ms -p value_size=uniform:64-600 --out "$TMP/series"
s=$(ls "$TMP"/series/series/*.csv)
head -1 "$s" | grep -q '^t_s,phase,rss_kib,anon_huge_kib,hugetlb_kib,charged_kib,live_bytes,ops,ops_per_sec' &&
	pass "series columns" || fail "series header: $(head -1 "$s")"
for p in fill churn drain idle refill; do
	grep -q "^[0-9.]*,$p," "$s" && pass "series has phase $p" || fail "series lacks phase $p"
done
awk -F, 'NR > 1 && $7 != "" && $7 > 0 { n++ } END { exit !(n > 0) }' "$s" &&
	pass "series has live_bytes" || fail "no live_bytes in the series"

need_root "run_churn knobs and memory limits"
before=$(knob_snapshot)
mp=$(cat /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none)
expect_exit 0 "max_ptes_none=409 for the cell" "$HB" run churn --backing thp-always "${tiny[@]}" \
	-p max_ptes_none=409 --out "$TMP/mp"
st=$(metric "$TMP/mp/results.csv" thp-always status)
[ "$st" = ok ] || [ "$st" = skipped ] && pass "max_ptes_none cell $st" || fail "max_ptes_none status $st"
[ "$(cat /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none)" = "$mp" ] &&
	[ "$(knob_snapshot)" = "$before" ] && pass "knobs restored" || fail "knobs not restored"

if [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	expect_exit 0 "a limit far under the store: OOM kill is a result" "$HB" run churn \
		--backing 4k -p keys=200000 -p value_size=1000 -p limit=32M -p limit_at=start \
		-p idle=0 -p churn_time=100ms --out "$TMP/oom"
	c="$TMP/oom/results.csv"
	[ "$(metric "$c" 4k oom_killed)" = 1 ] && [ "$(metric "$c" 4k status)" = ok ] &&
		pass "oom_killed=1, status ok" || fail "oom: $(grep -E ',(status|oom_killed),' "$c")"
	grep -q ',memory_failcnt,[1-9]' "$c" && pass "failcnt recorded" || fail "no failcnt"
fi
# churn_time=0 runs no operation: no rate, and it says so (0/0 is no figure)
expect_exit 0 "churn_time=0" "$HB" run churn --backing 4k -p keys=2000 -p churn_time=0 -p idle=0 \
	--out "$TMP/ct0" --quiet
[ "$(metric "$TMP/ct0/results.csv" 4k ops_per_sec_churn)" = unavailable ] &&
	pass "churn_time=0: ops_per_sec_churn unavailable, not nan" ||
	fail "churn_time=0: ops_per_sec_churn is '$(metric "$TMP/ct0/results.csv" 4k ops_per_sec_churn)'"
done_tests
