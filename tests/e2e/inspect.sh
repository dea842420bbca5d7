#!/bin/bash
# hugebench inspect: bad input (exit 2 naming it), a kernel thread skipped, and as root on
# tests/inspect/memshape processes of a known shape: exactly k of every 512 subpages of 64 MiB
# of THP written -> 512-k zero subpages per THP and the shrinker's figures at max_ptes_none 409
# and 0; without root the per-size figures unavailable with the reason (exit 0); a process that
# exits during --watch reported gone; --watch --out: the CSV, the chart, the markdown.
# It changes no machine setting: memshape asks for THP with MADV_HUGEPAGE (THP `madvise` or
# `always`; under `never` the THP checks skip with the reason).
. "$(dirname "$0")/lib.sh"

MEMSHAPE=${HB_MEMSHAPE:-$(dirname "$HB")/tests/inspect/memshape}
THP=/sys/kernel/mm/transparent_hugepage

expect_exit 2 "a PID that does not exist" "$HB" inspect 999999999
expect_out "PID 999999999: no such process" "it names the PID"
expect_exit 2 "a word for a PID" "$HB" inspect redis
expect_out "'redis' is no PID" "it names the word"
expect_exit 2 "a path that is no cgroup" "$HB" inspect --cgroup /no/such/cgroup
expect_out "'/no/such/cgroup' is not a memory cgroup" "it names the path"
expect_exit 2 "a name no process has" "$HB" inspect --name no-such-process-hb
expect_out "'no-such-process-hb'" "it names the name"
expect_exit 2 "PIDs and --name at once" "$HB" inspect $$ --name bash
expect_exit 2 "--interval without --watch" "$HB" inspect $$ --interval 1s
expect_exit 2 "a zero-scan rate above the cap" "$HB" inspect $$ --zero-scan=999999
expect_out "from 1 to 4096" "it says the accepted range"
expect_exit 0 "--dry-run" "$HB" inspect $$ --dry-run
expect_out "would read 1 process" "--dry-run says what it would read"
expect_exit 0 "a kernel thread" "$HB" inspect 2
expect_out "1 kernel thread skipped" "the kernel thread is skipped"

[ -x "$MEMSHAPE" ] || { fail "no $MEMSHAPE (make check builds it)"; done_tests; }

# start_shape NAME ARGS...: memshape ARGS in the background, its stdin held open by fd 8 (closed:
# it exits); waits for its "ready" line. $shape_pid.
start_shape() {
	local name=$1
	shift
	rm -f "$TMP/$name.in"
	mkfifo "$TMP/$name.in"
	"$@" <"$TMP/$name.in" >"$TMP/$name.out" 2>&1 &
	shape_pid=$!
	exec 8>"$TMP/$name.in"
	wait_until -p $shape_pid "memshape ready" grep -q ready "$TMP/$name.out"
}
stop_shape() { exec 8>&-; wait "$shape_pid" 2>/dev/null; }

# Without root: as nobody when we are root.
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$TMP"
	start_shape nobody setpriv --reuid=nobody --regid=nogroup --clear-groups "$MEMSHAPE" zeros 1 8
	mp=$(pgrep -n -P $shape_pid memshape || echo $shape_pid)
	expect_exit 0 "non-root inspect" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$HB" inspect "$mp" --zero-scan
	expect_out "per-size figures \(-\) unavailable: .*(kpageflags|PFN|root|CAP_SYS_ADMIN)" \
		"non-root: the per-size figures are unavailable with the reason"
	expect_out "zero scan.*no PMD-mapped THP read: the zero scan needs" \
		"non-root: the zero scan says why it read nothing"
	expect_out "resident \(\+hugetlb\) +[0-9]+" "non-root: the smaps figures are shown"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$HB" inspect "$mp" --json \
		>"$TMP/nr.json" 2>&1
	if jq -e '.total.anon.folios | startswith("unavailable: ")' "$TMP/nr.json" >/dev/null; then
		pass "non-root JSON: folios \"unavailable: <why>\", never 0"
	else
		fail "non-root JSON folios: $(jq -c .total.anon.folios "$TMP/nr.json" 2>&1 | head -c 300)"
	fi
	stop_shape
fi

need_root "inspect's per-size figures and zero scan"
mode=$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)
[ "$mode" != never ] || skip_all "THP is never here: memshape gets no THP"

# k of 512 written: 512-k zero subpages per THP; the shrinker frees the zero subpages of THPs
# with more than max_ptes_none of them.
for k in 100 200; do
	start_shape zeros$k "$MEMSHAPE" zeros $k 64
	"$HB" inspect $shape_pid --zero-scan=2048 --json >"$TMP/z$k.json" 2>"$TMP/z$k.err" 8>&-
	rc=$?
	"$HB" inspect $shape_pid --zero-scan=2048 >"$TMP/z$k.txt" 2>&1 8>&-
	stop_shape
	[ $rc = 0 ] || { fail "inspect --zero-scan k=$k: exit $rc"; cat "$TMP/z$k.err"; continue; }
	thps=$(jq '.zero_scan.thps' "$TMP/z$k.json")
	zeros=$(jq '.zero_scan.zero_subpages' "$TMP/z$k.json")
	r409=$(jq '.zero_scan.reclaim_kib_max_ptes_none_409' "$TMP/z$k.json")
	r0=$(jq '.zero_scan.reclaim_kib_max_ptes_none_0' "$TMP/z$k.json")
	pmd=$(jq '.total.anon.pmd_mapped_kib' "$TMP/z$k.json")
	echo "k=$k: $thps THPs (PMD-mapped $pmd KiB), $zeros zero subpages, reclaim 409: $r409 KiB, 0: $r0 KiB"
	if [ "$thps" -lt 16 ]; then
		fail "k=$k: only $thps THPs of 32 (fragmented memory?)"
		continue
	fi
	[ "$pmd" = $((thps * 2048)) ] && pass "k=$k: the THPs scanned are the PMD-mapped ones" ||
		fail "k=$k: $thps THPs scanned, PMD-mapped $pmd KiB"
	[ "$zeros" = $((thps * (512 - k))) ] && pass "k=$k: 512-k = $((512 - k)) zero subpages per THP" ||
		fail "k=$k: $zeros zero subpages for $thps THPs, wanted $((thps * (512 - k)))"
	want409=0
	[ $((512 - k)) -gt 409 ] && want409=$((thps * (512 - k) * 4))
	[ "$r409" = "$want409" ] && pass "k=$k: reclaim at max_ptes_none 409: $r409 KiB" ||
		fail "k=$k: reclaim at 409 $r409 KiB, wanted $want409"
	[ "$r0" = $((thps * (512 - k) * 4)) ] && pass "k=$k: reclaim at max_ptes_none 0: $r0 KiB" ||
		fail "k=$k: reclaim at 0 $r0 KiB, wanted $((thps * (512 - k) * 4))"
	grep -q "max_ptes_none 511: 0 KiB (off)" "$TMP/z$k.txt" && pass "k=$k: none at 511" ||
		fail "k=$k: the terminal summary lacks the 511 figure"
done
if jq -e '.findings[] | select(.id == "mostly-zero-huge-pages")' "$TMP/z100.json" >/dev/null; then
	pass "k=100: the finding names the mostly-zero huge pages"
else
	fail "k=100: no mostly-zero-huge-pages finding: $(jq -c .findings "$TMP/z100.json")"
fi

# A process that exits during --watch: reported gone, exit 0; the CSV, the chart, the markdown.
start_shape watch "$MEMSHAPE" zeros 1 16
# (not holding memshape's stdin: fd 8 closed for it)
"$HB" inspect $shape_pid --watch 60s --interval 100ms --out "$TMP/w" >"$TMP/watch.out" 2>&1 8>&- &
wpid=$!
wait_until -p $wpid "two samples" sh -c "[ \$(grep -c 'procs 1' '$TMP/watch.out') -ge 2 ]"
stop_shape
wait_until -p $wpid "a sample with the process gone" grep -q "gone 1" "$TMP/watch.out"
kill -INT $wpid
wait $wpid
rc=$?
[ $rc = 0 ] && pass "--watch ended by SIGINT after the process exited: exit 0" ||
	{ fail "--watch: exit $rc"; sed 's/^/    /' "$TMP/watch.out" | tail -5; }
grep -q "gone (it exited" "$TMP/watch.out" && pass "the summary says the process is gone" ||
	fail "no 'gone' in the summary: $(tail -5 "$TMP/watch.out")"
if [ -s "$TMP/w/inspect.csv" ] && head -1 "$TMP/w/inspect.csv" | grep -q '^t_s,pid,metric,value,unit,note$' &&
	grep -q ',all,huge_coverage_pct,' "$TMP/w/inspect.csv" && grep -q ',rss_kib,unavailable,' "$TMP/w/inspect.csv"; then
	pass "inspect.csv: tidy rows, coverage per sample, the gone process's Rss unavailable"
else
	fail "inspect.csv: $(head -5 "$TMP/w/inspect.csv" 2>&1)"
fi
[ -s "$TMP/w/inspect.md" ] && pass "inspect.md written" || fail "no inspect.md"
# What advise reads beside the CSV: the last sample as JSON (the THP mode, the malloc), and a
# figure not read is a row that says why.
jq -e '.schema == "hugebench-inspect/1" and (.thp.enabled | type == "string")' \
	"$TMP/w/inspect.json" >/dev/null 2>&1 && [ ! -e "$TMP/w/inspect.json.tmp" ] &&
	pass "inspect.json: the last sample, with the THP mode" || fail "inspect.json: $(head -c 300 "$TMP/w/inspect.json" 2>&1)"
grep -q ',all,zero_share_pct,unavailable,%,"not scanned (inspect without --zero-scan)"' \
	"$TMP/w/inspect.csv" && pass "inspect.csv: the zero share unavailable without --zero-scan" ||
	fail "inspect.csv: no unavailable zero_share_pct row"
if [ -x /usr/bin/gnuplot ]; then
	[ -s "$TMP/w/inspect.png" ] && pass "inspect.png drawn" || fail "no inspect.png: $(cat "$TMP/w/gnuplot.log" 2>&1 | head -5)"
fi
[ -z "$(ls -A "$TMP/w" | grep tmp)" ] && pass "no temporary file left in --out" || fail "left: $(ls -A "$TMP/w")"
done_tests
