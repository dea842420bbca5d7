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

# alive PID...: those of PIDS still running, one line. Not a zombie (this VM's init reaps an
# orphan only every second or so) nor a process on its way out (PF_EXITING: killed, its memory
# being torn down): both are gone for every purpose of these tests.
alive() {
	local p stat f
	for p in "$@"; do
		stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		read -r -a f <<<"${stat##*) }" # state ppid pgrp session tty tpgid flags ...
		[ "${f[0]}" = Z ] || [ $((f[6] & 4)) != 0 ] || printf '%s ' "$p"
	done
	echo
}
# alive_named NAME: the running processes named exactly NAME.
alive_named() { alive $(pgrep -x "$1"); }

# How long wait_until waits at most, in seconds. Only so that a broken build cannot hang the
# suite: no event these tests wait for takes that long on any host; a wait ends at its event.
HB_WAIT_MAX=${HB_WAIT_MAX:-300}
# wait_until [-p PID] WHAT CMD...: runs CMD every 50 ms until it succeeds: 0. With -p PID, 1
# once PID has ended and CMD still fails (what it waits for can no longer come); 1 also after
# HB_WAIT_MAX s. On 1 it says what it waited for, and why it stopped. (Its locals have names
# of their own: CMD runs in its scope and may read the caller's $pid.)
wait_until() {
	local _wu_pid="" _wu_what _wu_t0=$SECONDS
	[ "$1" = -p ] && { _wu_pid=$2; shift 2; }
	_wu_what=$1
	shift
	until "$@"; do
		if [ -n "$_wu_pid" ] && [ -z "$(alive "$_wu_pid")" ]; then
			"$@" && return 0
			echo "note: stopped waiting for $_wu_what: pid $_wu_pid ended first" \
				"($((SECONDS - _wu_t0)) s)"
			return 1
		fi
		if [ $((SECONDS - _wu_t0)) -ge "$HB_WAIT_MAX" ]; then
			echo "note: stopped waiting for $_wu_what after $HB_WAIT_MAX s (HB_WAIT_MAX)"
			return 1
		fi
		sleep 0.05
	done
}

# changed SNAPSHOT: the snapshot (a function) differs from $before.
changed() { [ "$($1)" != "$before" ]; }
# wait_changed PID [SNAPSHOT]: until the snapshot (knob_snapshot by default) differs from
# $before, i.e. the cell is running and has set its knob: 0; 1 when run PID ends first. However
# long the cells before it take: a host twice as slow as this one took longer than 10 s.
wait_changed() {
	wait_until -p "$1" "run $1 to change a machine knob" changed "${2:-knob_snapshot}"
}

# metric CSV BACKING NAME [REP]: the value column of one row of results.csv.
metric() {
	awk -F, -v b="$2" -v m="$3" -v r="${4:-1}" '$2 == b && $5 == m && $4 == r { print $6; exit }' "$1"
}
