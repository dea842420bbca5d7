#!/bin/bash
# external: the user's own command as a cell, with nothing but /bin/sh (no service needed): its
# figures read from its output (a regex that does not match gives `unavailable` with the
# reason), a command that fails is a failed cell with its last stderr lines, a server that
# dies before it is ready fails the cell with its log, a missing program skips the cell naming
# the Debian package, a bad metric is bad input, and nothing is left behind.
. "$(dirname "$0")/lib.sh"
"$HB" external --help >/dev/null 2>&1 || skip_all "no external workload in this build"

expect_exit 2 "a metric without a capture group is bad input" "$HB" run external --backing 4k \
	-p 'metric=x:s:lower:took [0-9]+' --out "$TMP/bad"
expect_out "parameter 'metric': .*exactly one capture group, it has 0" "the message names the parameter"
[ -e "$TMP/bad" ] && fail "bad input wrote a results directory" || pass "bad input wrote nothing"

expect_exit 3 "a missing program (no cell could run)" "$HB" run external --backing 4k \
	-p 'requires=sh:dash hb-no-such-program:hb-some-package' --out "$TMP/missing"
c="$TMP/missing/results.csv"
[ "$(metric "$c" 4k status)" = skipped ] && grep -q "hb-no-such-program not installed: apt-get install hb-some-package" "$c" &&
	pass "skipped naming the package" || fail "missing: $(grep ,status, "$c")"

expect_exit 0 "figures from the output" "$HB" run external --backing 4k \
	-p 'cmd=echo progress tps = 1 && echo tps = 41.5 && echo latency average = 2.5 ms && sleep 0.5' \
	-p 'metric=tps:tps:higher:^tps = ([0-9.]+)' -p 'metric2=latency_ms:ms:lower:latency average = ([0-9.]+) ms' \
	-p 'metric3=qps:ops/s:higher:^qps = ([0-9.]+)' -p memory=16M -p proof_every=100ms --out "$TMP/ok"
c="$TMP/ok/results.csv"
[ "$(metric "$c" 4k cmd_tps)" = 41.5 ] && pass "cmd_tps 41.5 (the last match, not the progress line)" ||
	fail "cmd_tps '$(metric "$c" 4k cmd_tps)'"
[ "$(metric "$c" 4k cmd_latency_ms)" = 2.5 ] && pass "cmd_latency_ms 2.5" || fail "cmd_latency_ms '$(metric "$c" 4k cmd_latency_ms)'"
[ "$(metric "$c" 4k cmd_qps)" = unavailable ] && grep ',cmd_qps,unavailable,' "$c" | grep -q "no match of" &&
	pass "no match: unavailable with the reason" || fail "cmd_qps: $(grep ,cmd_qps, "$c")"
for m in cmd_wall_ms tree_huge_pct tree_rss_kib; do
	v=$(metric "$c" 4k $m)
	[ -n "$v" ] && [ "$v" != unavailable ] && pass "$m = $v" || fail "no $m ('$v')"
done

expect_exit 4 "a command that fails (a cell failed)" "$HB" run external --backing 4k \
	-p 'cmd=echo one >&2 && echo two >&2 && exit 3' -p memory=16M --out "$TMP/fail"
c="$TMP/fail/results.csv"
[ "$(metric "$c" 4k status)" = failed ] &&
	grep ',status,failed,' "$c" | grep -q "cmd exited with status 3; its stderr: one | two" &&
	pass "failed with its status and last stderr lines" || fail "fail: $(grep ,status, "$c")"

expect_exit 4 "a server that dies before it is ready" "$HB" run external --backing 4k \
	-p 'server=echo no config here >&2 && exit 1' -p memory=16M --out "$TMP/srv"
c="$TMP/srv/results.csv"
[ "$(metric "$c" 4k status)" = failed ] && grep ',status,failed,' "$c" | grep -q "before it was ready; its log: no config here" &&
	pass "failed with the server's log" || fail "server: $(grep ,status, "$c")"

# redis-server: a real server that bootstrap.sh installs (python3 is not on a fresh machine)
expect_exit 0 "a server ready by its port, then stopped" "$HB" run external --backing 4k \
	-p "server=exec redis-server --bind 127.0.0.1 --port {port} --save '' --appendonly no" \
	-p 'requires=redis-server:redis-server' \
	-p 'cmd=cat /proc/net/tcp >/dev/null && echo done = 1' -p 'metric=done:x:neither:done = ([0-9])' \
	-p memory=64M --out "$TMP/port"
c="$TMP/port/results.csv"
[ "$(metric "$c" 4k status)" = ok ] && [ "$(metric "$c" 4k cmd_done)" = 1 ] &&
	pass "port-ready server: ok, the command's figure read" || fail "port server: $(grep ,status, "$c")"
[ -z "$(alive_named redis-server)" ] && pass "the server was stopped" || fail "redis-server left running"
compgen -G "/tmp/hugebench-external*" >/dev/null && fail "a temporary directory was left" || pass "no directory left"
[ -z "$(alive_named hb-janitor)" ] || wait_until "the janitors to end" eval '[ -z "$(alive_named hb-janitor)" ]'
[ -z "$(alive_named hb-janitor)" ] && pass "no janitor left" || fail "janitor left"
done_tests
