#!/bin/bash
# hugebench record and hugebench trace: bad input; a small real program (tests/record/allocprog)
# recorded and read back; a real redis-server (Debian's, jemalloc) recorded through a load of
# 20000 keys on a loopback port, then SIGKILLed: its trace is readable up to its last whole
# record and holds the load's allocations. The server is stopped on every exit path.
. "$(dirname "$0")/lib.sh"
PROG=$(dirname "$HB")/tests/record/allocprog
[ -x "$PROG" ] || skip_all "tests/record/allocprog is not built (make check builds it)"

expect_exit 2 "record without a command" "$HB" record --out "$TMP/x.trace"
expect_out "no COMMAND" "record says what is missing"
expect_exit 2 "record of a command that is not there" "$HB" record -- /nonexistent/prog
expect_out "not found or not executable" "record names the command"
expect_exit 2 "record --max-size below 4K" "$HB" record --max-size 1K -- "$PROG"
expect_exit 0 "record --dry-run" "$HB" record --dry-run --out "$TMP/d.trace" -- "$PROG" all
[ -e "$TMP/d.trace" ] && fail "record --dry-run wrote the trace" || pass "--dry-run wrote nothing"
expect_exit 2 "trace of a file that is not one" "$HB" trace /etc/services
expect_out "not a hugebench trace" "trace says why"

# A small real program, every entry point (the unit test checks each call against the trace).
expect_exit 0 "record allocprog" "$HB" record --out "$TMP/a.trace" -- "$PROG" all
expect_out "command exited with status 0" "record prints the command's status"
expect_out "bytes per event" "record prints the bytes per event"
expect_exit 0 "trace of it" "$HB" trace "$TMP/a.trace"
expect_out "^command: .*allocprog all" "the header has the command"
expect_out "^  fork at .*: child [0-9]+" "the fork is listed"
expect_out "^threads: 2; forks: 1 \(1 ended" "two threads, one fork that ended"
expect_out "^  posix_memalign +1$" "posix_memalign counted"

# --max-size stops recording, not the program, and says so.
expect_exit 0 "record with --max-size" "$HB" record --max-size 64K --out "$TMP/m.trace" -- \
	"$PROG" burst
expect_out "recording stopped at --max-size" "record says the limit stopped it"
expect_out "trace reached --max-size: recording stopped, the program goes on" \
	"the recorder says so on the program's stderr"
expect_out "^done$" "the program went on to its end"
size=$(stat -c %s "$TMP/m.trace")
[ "$size" -le 65536 ] && pass "the trace stayed within --max-size ($size bytes)" ||
	fail "the trace has $size bytes, over --max-size 65536"

# A real redis-server, recorded, loaded, SIGKILLed.
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
	echo "note: no redis-server/redis-cli: the redis part is skipped"
	done_tests
}
SOCK=$TMP/redis.sock
rec_pid=
cleanup() {
	[ -n "$rec_pid" ] && pkill -KILL -P "$rec_pid" 2>/dev/null
	[ -n "$rec_pid" ] && kill -KILL "$rec_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
"$HB" record --out "$TMP/redis.trace" -- redis-server --port 0 --unixsocket "$SOCK" \
	--save "" --appendonly no --daemonize no --dir "$TMP" >"$TMP/rec.out" 2>&1 &
rec_pid=$!
ping() { redis-cli -s "$SOCK" ping >/dev/null 2>&1; }
if wait_until -p "$rec_pid" "redis-server's socket" ping; then
	pass "redis-server runs under the recorder"
	# 20000 SETs of 64-1900 bytes, as a Lua script on the server
	redis-cli -s "$SOCK" eval "for i=1,20000 do redis.call('SET', 'k'..i, \
string.rep('x', 64 + (i * 7919) % 1837)) end return 1" 0 >/dev/null
	redis-cli -s "$SOCK" dbsize | grep -qx 20000 && pass "20000 keys loaded" ||
		fail "the load did not go in"
	srv=$(pgrep -P "$rec_pid" -x redis-server)
	kill -KILL "$srv"
	wait "$rec_pid"
	rec_pid=
	expect_exit 0 "trace of the SIGKILLed server" "$HB" trace "$TMP/redis.trace"
	expect_out "^allocator: .*jemalloc" "the trace saw Debian's jemalloc"
	mallocs=$(awk '$1 == "malloc" { print $2 }' "$TMP/out")
	[ "${mallocs:-0}" -ge 20000 ] && pass "the killed server's trace holds $mallocs mallocs" ||
		fail "only ${mallocs:-0} mallocs in the killed server's trace (20000 SETs)"
	grep -q "killed by signal 9" "$TMP/rec.out" && pass "record says the server was killed" ||
		fail "record did not report the SIGKILL: $(cat "$TMP/rec.out")"
else
	fail "redis-server did not start under the recorder: $(cat "$TMP/rec.out")"
fi
done_tests
