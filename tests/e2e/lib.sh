# Shared by the end-to-end tests. HB_BIN is the hugebench binary (set by make check).
set -u
HB=${HB_BIN:-./hugebench}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hb-e2e.XXXXXX")
FAILS=0
# These tests change real machine knobs when run as root: one at a time, also under make -j,
# and never beside a measurement run that holds the same lock (HB_LOCK_HELD=1: the caller
# already holds /tmp/hugebench.lock, e.g. `flock /tmp/hugebench.lock env HB_LOCK_HELD=1 make check`).
if [ -z "${HB_LOCK_HELD:-}" ]; then
	exec 9>/tmp/hugebench.lock
	flock 9
fi
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
skip_all() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip_all "$1 needs root (run make check as root to include it)"; }
done_tests() { [ "$FAILS" = 0 ] || { echo "$FAILS check(s) failed"; exit 1; }; exit 0; }

# expect_exit CODE DESCRIPTION CMD...: runs CMD, output in $TMP/out, checks the exit status.
expect_exit() {
	local want=$1 what=$2; shift 2
	"$@" >"$TMP/out" 2>&1; local got=$?
	if [ "$got" = "$want" ]; then pass "$what (exit $got)"; else
		fail "$what: exit $got, wanted $want"; sed 's/^/    /' "$TMP/out" | head -20; fi
}
# expect_out PATTERN DESCRIPTION: the last command's output matches PATTERN (grep -E).
expect_out() {
	if grep -Eq -- "$1" "$TMP/out"; then pass "$2"; else
		fail "$2: output lacks /$1/"; sed 's/^/    /' "$TMP/out" | head -20; fi
}

# Whether cells get a memory cgroup here (v1 memory controller or v2): without one (a chroot
# with /sys bound but not its cgroup mounts) charged figures are `unavailable`, with why.
have_memcg() { [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; }

# The machine knobs hugebench may touch, as one line, to compare before and after.
knob_snapshot() {
	local f
	for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag \
		/sys/kernel/mm/transparent_hugepage/hugepages-*kB/enabled \
		/sys/kernel/mm/hugepages/hugepages-*/nr_hugepages; do
		[ -r "$f" ] && printf '%s=%s ' "$f" "$(cat "$f")"
	done
	echo
}

# wait_changed PID [SNAPSHOT]: until the snapshot (a function; knob_snapshot by default)
# differs from $before, i.e. the cell is running and has set its knob: 0; 1 when the run
# ends first or 10 s pass.
wait_changed() {
	local snapshot=${2:-knob_snapshot}
	for _ in $(seq 200); do
		[ "$($snapshot)" != "$before" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# metric CSV BACKING NAME [REP]: the value column of one row of results.csv.
metric() {
	awk -F, -v b="$2" -v m="$3" -v r="${4:-1}" '$2 == b && $5 == m && $4 == r { print $6; exit }' "$1"
}
