#!/bin/bash
# The external workload's shipped profiles against the real services from Debian (make
# check-services, not make check: they need postgresql-15, memcached, libmemcached-tools,
# redis-server and redis-tools, root, and a few minutes). Each profile, shrunk to test sizes by
# sed (its own commands otherwise), runs on 4k, thp, thp-always and hugetlb-2m, 3 repetitions
# interleaved: every cell ok with its figures and its proof of backing; postgres on hugetlb-2m
# proves Shared_Hugetlb; nothing is left (no server process, janitor, cgroup or temporary
# directory), also after SIGINT and SIGKILL of the harness in the middle of a cell.
. "$(dirname "$0")/lib.sh"

need_root "the command profiles (servers as other users, THP modes, hugetlb pools, cgroups)"
command -v python3 >/dev/null || skip_all "python3 not installed (reads results.csv, whose params have commas)"
"$HB" external --help >/dev/null 2>&1 || skip_all "no external workload in this build"
PROFILES=$(cd "$(dirname "$0")/../.." && pwd)/profiles
before=$(knob_snapshot)

# cm CSV BACKING NAME [REP] [SECTION-PARAMS-SUBSTRING]: one value, CSV-aware.
cm() {
	python3 - "$@" <<'PY'
import csv, sys
f, b, m = sys.argv[1:4]
r = sys.argv[4] if len(sys.argv) > 4 else "1"
sub = sys.argv[5] if len(sys.argv) > 5 else ""
for row in csv.reader(open(f)):
    if len(row) > 5 and row[1] == b and row[4] == m and row[3] == r and sub in row[2] and row[0] == "external":
        print(row[5]); break
PY
}
num() { awk -v v="$1" 'BEGIN { exit !(v ~ /^-?[0-9.e+]+$/) }'; }

left_behind() {
	local what="" n
	for n in postgres memcached redis-server memcslap pgbench redis-benchmark hb-janitor; do
		[ -n "$(alive_named $n)" ] && what="$what $n"
	done
	compgen -G "/tmp/hugebench-external*" >/dev/null && what="$what /tmp/hugebench-external*"
	find /sys/fs/cgroup -maxdepth 8 -type d -name "hugebench-*" 2>/dev/null | grep -q . &&
		what="$what cgroup"
	echo "$what"
}
clean() { l=$(left_behind); [ -z "$l" ]; }
wait_clean() {
	local l
	wait_until "what the cells started to be gone" clean
	[ -z "$l" ] && pass "$1: nothing left behind" || fail "$1: left behind:$l"
}
[ -z "$(left_behind)" ] || skip_all "a server, janitor, cgroup or directory of ours exists already: $(left_behind)"

# shrink NAME: the shipped profile at test sizes, into $TMP/NAME.ini.
shrink() {
	case $1 in
	postgres) sed -e 's/shared_buffers=1GB/shared_buffers=128MB/' -e 's/-s 30/-s 2/' \
		-e 's/-T 20/-T 2/' -e 's/^memory = .*/memory = 400M/' ;;
	memcached) sed -e 's/-e 50000/-e 3000/g' -e 's/50000 \//3000 \//g' -e 's/\/ 100000/\/ 6000/' ;;
	redis) sed -e 's/-n 200000/-n 5000/g' -e 's/^keys = 200000/keys = 5000/' \
		-e 's/^phase_time = 1s/phase_time = 200ms/' ;;
	esac <"$PROFILES/external-$1.ini" >"$TMP/$1.ini"
}

have() { local p; for p in "$@"; do command -v "$p" >/dev/null || [ -x "$p" ] || return 1; done; }
ran=0
BACKINGS="4k thp thp-always hugetlb-2m"

# check_cells CSV SECTION-SUBSTRING METRIC...: every backing and rep ok, the figures numbers,
# the proof there.
check_cells() {
	local c=$1 sub=$2 b r m v
	shift 2
	for b in $BACKINGS; do for r in 1 2 3; do
		v=$(cm "$c" $b status $r "$sub")
		[ "$v" = ok ] || { fail "$sub $b rep $r: status '$v': $(grep ",$b,.*,$r,status," "$c" | head -c 600)"; continue; }
		for m in "$@" tree_huge_pct tree_rss_kib charged_kib_end cmd_wall_ms; do
			v=$(cm "$c" $b $m $r "$sub")
			num "$v" || fail "$sub $b rep $r: $m is '$v'"
		done
	done; pass "$sub $b: 3 reps ok with $* and the proof"; done
}

if have /usr/lib/postgresql/15/bin/postgres /usr/lib/postgresql/15/bin/pgbench setpriv; then
	ran=1
	shrink postgres
	expect_exit 0 "postgres profile, 4 backings x 3 reps" "$HB" bench --profile "$TMP/postgres.ini" \
		--out "$TMP/pg"
	c="$TMP/pg/results.csv"
	check_cells "$c" "" cmd_tps cmd_latency_ms
	for r in 1 2 3; do
		# huge_pages=on: the backends map shared buffers in hugetlb pages (Shared_Hugetlb), and
		# the per-size proof sees them as 2 MiB folios
		v=$(cm "$c" hugetlb-2m tree_hugetlb_kib_max $r)
		awk -v v="$v" 'BEGIN { exit !(v >= 2048) }' && pass "hugetlb-2m rep $r: Shared_Hugetlb $v KiB" ||
			fail "hugetlb-2m rep $r: tree_hugetlb_kib_max '$v'"
		v=$(cm "$c" hugetlb-2m tree_folio_kib_2m $r)
		awk -v v="$v" 'BEGIN { exit !(v >= 2048) }' && pass "hugetlb-2m rep $r: 2 MiB folios $v KiB" ||
			fail "hugetlb-2m rep $r: tree_folio_kib_2m '$v'"
		v=$(cm "$c" 4k tree_hugetlb_kib $r)
		[ "$v" = 0 ] && pass "4k rep $r: no hugetlb" || fail "4k rep $r: tree_hugetlb_kib '$v'"
		v=$(cm "$c" 4k tree_pmd_kib $r)
		[ "$v" = 0 ] && pass "4k rep $r: no PMD-mapped page (PR_SET_THP_DISABLE)" || fail "4k rep $r: tree_pmd_kib '$v'"
	done
	wait_clean "after the postgres profile"
else
	echo "note: postgres profile not run: postgresql-15 (or setpriv) not installed"
fi

if have memcached memcslap; then
	ran=1
	shrink memcached
	expect_exit 0 "memcached profile, with and without -L, 4 backings x 3 reps" "$HB" bench \
		--profile "$TMP/memcached.ini" --out "$TMP/mc"
	c="$TMP/mc/results.csv"
	check_cells "$c" "-t 2;" cmd_ops_per_sec cmd_latency_us
	check_cells "$c" "-t 2 -L;" cmd_ops_per_sec cmd_latency_us
	for r in 1 2 3; do
		v=$(cm "$c" hugetlb-2m tree_hugetlb_kib $r "-t 2;")
		awk -v v="$v" 'BEGIN { exit !(v > 0) }' && pass "memcached hugetlb-2m rep $r: hugetlb $v KiB (malloc tunable)" ||
			fail "memcached hugetlb-2m rep $r: tree_hugetlb_kib '$v'"
	done
	wait_clean "after the memcached profile"
else
	echo "note: memcached profile not run: memcached or libmemcached-tools not installed"
fi

if have redis-server redis-benchmark; then
	ran=1
	shrink redis
	expect_exit 0 "redis profile, 4 backings x 3 reps" "$HB" bench --profile "$TMP/redis.ini" \
		--out "$TMP/rd"
	c="$TMP/rd/results.csv"
	check_cells "$c" "" cmd_ops_per_sec cmd_latency_ms cmd_set_ops_per_sec
	grep -q '^redis,4k,.*,status,ok' "$c" && pass "the built-in redis workload ran beside it" ||
		fail "no built-in redis cell"
	wait_clean "after the redis profile"
else
	echo "note: redis profile not run: redis-server or redis-tools not installed"
fi
[ $ran = 1 ] || skip_all "none of postgresql-15, memcached + libmemcached-tools, redis-server + redis-tools is installed"

# SIGINT and SIGKILL of the harness while the measured command runs (pgbench, or memcslap).
if have /usr/lib/postgresql/15/bin/postgres /usr/lib/postgresql/15/bin/pgbench setpriv; then
	sed -e 's/-T 2$/-T 120/' -e 's/^backings = .*/backings = hugetlb-2m/' -e 's/^reps = 3/reps = 1/' \
		"$TMP/postgres.ini" >"$TMP/long.ini"
	busy() { pgrep -x pgbench >/dev/null && pgrep -x postgres >/dev/null && [ "$(pgrep -f 'pgbench -S' | wc -l)" -gt 0 ]; }
	for sig in INT KILL; do
		"$HB" bench --profile "$TMP/long.ini" --out "$TMP/sig$sig" >"$TMP/sig.out" 2>&1 &
		pid=$!
		wait_until -p $pid "pgbench -S to run against the cell's postgres" busy &&
			pass "SIG$sig: postgres and pgbench running" || fail "SIG$sig: they never ran: $(tail -3 "$TMP/sig.out")"
		kill -$sig $pid
		wait $pid
		rc=$?
		[ $sig = INT ] && { [ $rc = 130 ] && pass "SIGINT: exit 130" || fail "SIGINT: exit $rc"; }
		wait_clean "SIG$sig of the harness mid-cell"
	done
	# After the SIGKILL the guardian put the pool back; a later start has nothing to restore.
	wait_until "the knobs to be restored" eval '[ "$(knob_snapshot)" = "$before" ]'
fi

[ "$(knob_snapshot)" = "$before" ] && pass "knobs restored" || fail "knobs changed: $(knob_snapshot)"
done_tests
