#!/bin/bash
# redis: a tiny real scenario of each kind end to end on 4k and thp-always (Redis's own
# figures, forkcow's and churn's names), hugetlb skipped with the reason, a missing
# redis-server skipped with the package named, a redis-server that will not start fails the
# cell with its own log lines, and nothing of it (process, port, temporary directory)
# survives SIGINT or SIGKILL of the harness in the middle of a cell.
. "$(dirname "$0")/lib.sh"

command -v redis-server >/dev/null || skip_all "redis-server not installed (apt-get install redis-server)"
"$HB" run redis --help 2>&1 | grep -q scenario || skip_all "no redis workload in this build"

# A missing redis-server: PATH without it.
expect_exit 3 "redis without redis-server in PATH (no cell could run)" env PATH=/nonexistent "$HB" run redis \
	--backing 4k -p keys=100 --out "$TMP/missing"
c="$TMP/missing/results.csv"
[ "$(metric "$c" 4k status)" = skipped ] && pass "cell skipped" || fail "status $(metric "$c" 4k status)"
grep -q "redis-server not installed: apt-get install redis-server" "$c" &&
	pass "the reason names the package" || fail "reason: $(grep ,status, "$c")"

need_root "run_redis cells (THP modes, memory cgroups)"
before=$(knob_snapshot)

# No redis-server, no janitor, no directory of ours, no listener of redis-server.
left_behind() {
	local what=""
	[ -n "$(alive_named redis-server)" ] && what="$what redis-server"
	[ -n "$(alive_named hb-janitor)" ] && what="$what hb-janitor"
	compgen -G "/tmp/hugebench-redis.*" >/dev/null && what="$what /tmp/hugebench-redis.*"
	ss -ltnp 2>/dev/null | grep -q '"redis-server"' && what="$what listening-port"
	echo "$what"
}
# wait_clean WHAT: until the janitor has cleaned up (as long as that takes on this host).
clean() { l=$(left_behind); [ -z "$l" ]; }
wait_clean() {
	local l
	wait_until "the janitor to remove what the cell's redis-server left" clean
	[ -z "$l" ] && pass "$1: nothing left behind" || fail "$1: left behind:$l"
}
# figure CTX CSV BACKING METRIC: a number; a charged figure without a memory cgroup here is
# `unavailable` with the reason instead, never a number made up nor a missing row.
figure() {
	local v; v=$(metric "$2" "$3" "$4")
	case $4 in *charged*) if ! have_memcg; then
		[ "$v" = unavailable ] && pass "$1 $3 $4 unavailable (no memory cgroup here)" ||
			fail "$1 $3: $4 is '$v' without a memory cgroup"
		return; fi ;; esac
	[ -n "$v" ] && [ "$v" != unavailable ] && pass "$1 $3 $4 = $v" || fail "$1 $3: no $4 ('$v')"
}
[ -z "$(left_behind)" ] || skip_all "a redis-server or /tmp/hugebench-redis.* exists already: $(left_behind)"

expect_exit 0 "redis fork, 20k keys" "$HB" run redis --backing 4k,thp-always,hugetlb-2m \
	-p keys=20000 -p phase_time=200ms --out "$TMP/fork"
c="$TMP/fork/results.csv"
for b in 4k thp-always; do
	[ "$(metric "$c" $b status)" = ok ] && pass "fork $b ok" || fail "fork $b: $(grep "$b,.*,status," "$c")"
	for m in fork_us fork_us_empty used_memory_rss_kib_empty fork_ms_per_gib copied_kib bgsave_s \
		used_memory_kib used_memory_rss_kib mem_fragmentation_ratio write_p99_us_baseline \
		write_p99_us_snapshot write_p99_us_after \
		rss_kib huge_coverage_process_pct dataset_huge_pct copied_kib_charged; do
		figure fork "$c" $b $m
	done
	# 20k x 500 B is ~10 MiB of data in Redis: used_memory says so.
	awk -v u="$(metric "$c" $b used_memory_kib)" 'BEGIN { exit !(u > 10000 && u < 40000) }' &&
		pass "fork $b: used_memory of 20k x 500 B" || fail "fork $b: used_memory_kib $(metric "$c" $b used_memory_kib)"
	[ "$(metric "$c" $b writes_snapshot)" -gt 0 ] 2>/dev/null && pass "fork $b: writes during BGSAVE" ||
		fail "fork $b: writes_snapshot $(metric "$c" $b writes_snapshot)"
done
awk -v p="$(metric "$c" thp-always huge_coverage_process_pct)" 'BEGIN { exit !(p > 0) }' &&
	pass "thp-always: the server got huge pages (--disable-thp no)" ||
	fail "thp-always: server huge_coverage_process_pct $(metric "$c" thp-always huge_coverage_process_pct)"
# The dataset's own share: none on 4k; on thp-always a share of what the fill added.
[ "$(metric "$c" 4k dataset_huge_pct)" = 0 ] && pass "4k: dataset_huge_pct 0" ||
	fail "4k: dataset_huge_pct $(metric "$c" 4k dataset_huge_pct)"
awk -v p="$(metric "$c" thp-always dataset_huge_pct)" 'BEGIN { exit !(p > 0 && p <= 100) }' &&
	pass "thp-always: dataset_huge_pct $(metric "$c" thp-always dataset_huge_pct) in (0, 100]" ||
	fail "thp-always: dataset_huge_pct '$(metric "$c" thp-always dataset_huge_pct)'"
[ "$(metric "$c" 4k huge_coverage_process_pct)" = 0 ] && pass "4k: no huge page in the server" ||
	fail "4k: huge_coverage_process_pct $(metric "$c" 4k huge_coverage_process_pct)"
[ "$(metric "$c" hugetlb-2m status)" = skipped ] && grep -q "Redis cannot use hugetlbfs" "$c" &&
	pass "hugetlb-2m skipped with the reason" || fail "hugetlb-2m: $(grep hugetlb-2m,.*,status, "$c")"
wait_clean "after the fork run"

expect_exit 0 "redis churn, 20k keys" "$HB" run redis --backing 4k,thp-always -p scenario=churn \
	-p keys=20000 -p idle=300ms --out "$TMP/churn"
c="$TMP/churn/results.csv"
for b in 4k thp-always; do
	[ "$(metric "$c" $b status)" = ok ] && pass "churn $b ok" || fail "churn $b: $(grep "$b,.*,status," "$c")"
	for m in rss_kib_full charged_kib_full frag_ratio_full rss_kib_after_drain \
		charged_kib_after_drain frag_ratio_after_drain used_memory_kib_after_drain \
		allocator_resident_kib_after_drain allocator_frag_ratio_after_drain; do
		figure churn "$c" $b $m
	done
	# 90% of the keys deleted: Redis's used_memory falls to well under half.
	awk -v f="$(metric "$c" $b used_memory_kib_full)" -v d="$(metric "$c" $b used_memory_kib_after_drain)" \
		'BEGIN { exit !(f > 0 && d < f / 2) }' && pass "churn $b: used_memory fell after the drain" ||
		fail "churn $b: used_memory $(metric "$c" $b used_memory_kib_full) -> $(metric "$c" $b used_memory_kib_after_drain)"
done
grep -q '^t_s,.*server_rss_kib' "$TMP"/churn/series/*4k*.csv && pass "series has the server's Rss" ||
	fail "series lacks server_rss_kib"
wait_clean "after the churn run"

# A bad option: Redis's own complaint is in the note.
expect_exit 4 "redis with a bad option (a cell failed)" "$HB" run redis --backing 4k -p keys=100 \
	-p server_args="--maxmemory-policy nonsense" --out "$TMP/bad"
c="$TMP/bad/results.csv"
[ "$(metric "$c" 4k status)" = failed ] && grep ',status,' "$c" | grep -q "FATAL CONFIG\|maxmemory-policy" &&
	pass "bad option: failed with Redis's log lines" || fail "bad option: $(grep ,status, "$c")"
wait_clean "after the bad option"

pong() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }
# The port taken (by another listener): Redis's own log lines in the note.
# (the listener is another redis-server: a real one, and there on every machine this runs)
for _ in $(seq 20); do
	port=$((20000 + RANDOM % 20000))
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
		>"$TMP/holder.log" 2>&1 &
	holder=$!
	# it answers, or it exits (the port was taken already): try another
	wait_until -p $holder "redis-server on port $port to answer" pong "$port" && break
	kill $holder 2>/dev/null; wait $holder 2>/dev/null
done
expect_exit 4 "redis on a taken port (a cell failed)" "$HB" run redis --backing 4k -p keys=100 -p port="$port" \
	--out "$TMP/taken"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
c="$TMP/taken/results.csv"
[ "$(metric "$c" 4k status)" = failed ] && grep ',status,' "$c" | grep -qi "address already in use\|Could not create server TCP" &&
	pass "taken port: failed with Redis's log lines" || fail "taken port: $(grep ,status, "$c")"
wait_clean "after the taken port"

# in_idle: the cell's redis-server (the only one listening) has had 90% of its 20000 keys
# deleted: the drain is over, the 60 s idle phase has begun.
in_idle() {
	local port
	# the port from its process title ("redis-server 127.0.0.1:PORT"): ss is not on a minimal
	# Debian root
	port=$(pgrep -a -x redis-server | sed -n 's/.*:\([0-9][0-9]*\).*/\1/p' | head -n 1)
	[ -n "$port" ] && redis-cli -p "$port" info commandstats 2>/dev/null | grep -q '^cmdstat_del:' &&
		[ "$(redis-cli -p "$port" dbsize 2>/dev/null)" -le 2000 ] 2>/dev/null
}
# SIGINT and SIGKILL of the harness in the middle of a cell (the idle phase).
for sig in INT KILL; do
	"$HB" run redis --backing 4k -p scenario=churn -p keys=20000 -p idle=60s --out "$TMP/sig$sig" \
		>"$TMP/out" 2>&1 &
	pid=$!
	wait_until -p $pid "the cell's redis-server to reach the idle phase" in_idle
	pgrep -x redis-server >/dev/null && pass "SIG$sig: redis-server running" || fail "SIG$sig: no redis-server seen"
	kill -$sig $pid
	wait $pid
	rc=$?
	[ $sig = INT ] && { [ $rc = 130 ] && pass "SIGINT: exit 130" || fail "SIGINT: exit $rc"; }
	wait_clean "SIG$sig of the harness"
done

[ "$(knob_snapshot)" = "$before" ] && pass "knobs restored" || fail "knobs changed: $(knob_snapshot)"
done_tests
