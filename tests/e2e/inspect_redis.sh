#!/bin/bash
# hugebench inspect on a real redis-server (Debian's, jemalloc) in a memory cgroup of this
# test's own, root: 1M keys of 64-1900 bytes, 90% deleted at random, 15 s idle (the scenario
# of the seed story, not a wait for an event); under THP `always` inspect reports the cgroup
# charged beyond the anonymous Rss + page cache and the charged-beyond-rss finding; under
# `madvise` the gap is gone. The THP mode is put back and nothing is left running, on every
# exit path.
. "$(dirname "$0")/lib.sh"
need_root "a memory cgroup and the THP mode"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
	skip_all "no redis-server/redis-cli (apt-get install redis-server redis-tools)"

THP=/sys/kernel/mm/transparent_hugepage
KEYS=${HB_INSPECT_REDIS_KEYS:-1000000}
old_mode=$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)
if [ -d /sys/fs/cgroup/memory ]; then
	cgroot=/sys/fs/cgroup/memory
else
	cgroot=/sys/fs/cgroup
	grep -qw memory $cgroot/cgroup.subtree_control 2>/dev/null ||
		skip_all "cgroup v2 without the memory controller in the root's subtree_control"
fi
cg=$cgroot/hb-inspect-test-$$
redis_pid=
cleanup() {
	if [ -n "$redis_pid" ]; then
		redis-cli -s "$TMP/redis.sock" shutdown nosave >/dev/null 2>&1
		# its exit, bounded: SIGKILL when it has not gone within 5 s
		for _ in $(seq 100); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$redis_pid" 2>/dev/null
		wait "$redis_pid" 2>/dev/null
		redis_pid=
	fi
	[ -d "$cg" ] && rmdir "$cg" 2>/dev/null
	echo "$old_mode" >$THP/enabled
}
trap 'cleanup; rm -rf "$TMP"' EXIT

# The protocol of KEYS SETs of 64-1900 random-sized values, and of DELs of 90% of the keys
# (the same keys in both modes: fixed seeds), streamed into redis-cli --pipe.
fill() {
	awk -v n="$KEYS" 'BEGIN { srand(7); s = sprintf("%1900s", ""); gsub(/ /, "v", s);
		for (i = 0; i < n; i++) { k = "key:" i; l = 64 + int(rand() * 1837);
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, l, substr(s, 1, l) } }'
}
drain() {
	awk -v n="$KEYS" 'BEGIN { srand(11); for (i = 0; i < n; i++) if (rand() < 0.9) {
		k = "key:" i; printf "*2\r\n$3\r\nDEL\r\n$%d\r\n%s\r\n", length(k), k } }'
}

for mode in always madvise; do
	echo $mode >$THP/enabled
	mkdir "$cg" || { fail "cannot make $cg"; break; }
	# redis-server started inside the cgroup: the subshell moves itself, then execs it
	(echo $BASHPID >"$cg/cgroup.procs" && exec redis-server --port 0 --unixsocket "$TMP/redis.sock" \
		--save "" --appendonly no --disable-thp no --daemonize no --loglevel warning) \
		>"$TMP/redis-$mode.log" 2>&1 &
	redis_pid=$!
	wait_until -p $redis_pid "redis-server to answer" \
		sh -c "redis-cli -s '$TMP/redis.sock' ping 2>/dev/null | grep -q PONG" || { fail "$mode: no redis"; cleanup; continue; }
	fill | redis-cli -s "$TMP/redis.sock" --pipe >"$TMP/fill-$mode.log" 2>&1
	drain | redis-cli -s "$TMP/redis.sock" --pipe >"$TMP/drain-$mode.log" 2>&1
	keys=$(redis-cli -s "$TMP/redis.sock" dbsize)
	sleep 15 # the scenario's idle time: what the allocator and the kernel leave after it
	t0=$(date +%s.%N)
	"$HB" inspect --cgroup "$cg" --json >"$TMP/$mode.json" 2>"$TMP/$mode.err"
	rc=$?
	t1=$(date +%s.%N)
	"$HB" inspect --cgroup "$cg" >"$TMP/$mode.txt" 2>&1
	cleanup
	[ $rc = 0 ] || { fail "$mode: inspect exit $rc: $(cat "$TMP/$mode.err")"; continue; }
	charged=$(jq '.cgroups[0].charged_kib' "$TMP/$mode.json")
	rss=$(jq '.cgroups[0].procs_rss_kib' "$TMP/$mode.json")
	beyond=$(jq '.cgroups[0].beyond_rss_kib' "$TMP/$mode.json")
	cov=$(jq '.anon_huge_coverage_pct' "$TMP/$mode.json")
	alloc=$(jq -r '.processes[0].allocator.name' "$TMP/$mode.json")
	pct=$(awk -v b="$beyond" -v r="$rss" 'BEGIN { printf "%.0f", 100 * b / r }')
	echo "$mode: $keys keys left; anonymous Rss $rss KiB, charged $charged KiB, beyond $beyond KiB ($pct%), coverage $cov%, malloc $alloc; inspect took $(echo "$t1 - $t0" | bc) s"
	grep -A1 "charged-beyond-rss" "$TMP/$mode.txt" | sed 's/^/    /'
	[ "$alloc" = jemalloc ] && pass "$mode: the malloc is jemalloc" || fail "$mode: malloc $alloc"
	if [ $mode = always ]; then
		[ "$pct" -ge 20 ] && pass "always: charged $pct% beyond the anonymous Rss + page cache" ||
			fail "always: only $pct% beyond"
		jq -e '.findings[] | select(.id == "charged-beyond-rss")' "$TMP/$mode.json" >/dev/null &&
			pass "always: the charged-beyond-rss finding names it" ||
			fail "always: no charged-beyond-rss finding: $(jq -c .findings "$TMP/$mode.json")"
	else
		[ "$pct" -lt 10 ] && pass "madvise: the gap is gone ($pct%)" || fail "madvise: $pct% beyond"
		jq -e '.findings[] | select(.id == "charged-beyond-rss")' "$TMP/$mode.json" >/dev/null &&
			fail "madvise: a charged-beyond-rss finding" || pass "madvise: no charged-beyond-rss finding"
	fi
done
[ -z "$(pgrep -f "$TMP/redis.sock")" ] && pass "no redis-server of this test left" ||
	fail "redis-server left running: $(pgrep -af "$TMP/redis.sock")"
[ "$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)" = "$old_mode" ] && pass "THP mode back to $old_mode" ||
	fail "THP mode $(cat $THP/enabled), was $old_mode"
[ ! -d "$cg" ] && pass "the test's cgroup is removed" || fail "$cg left"
done_tests
