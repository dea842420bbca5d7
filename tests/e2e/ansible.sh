#!/bin/bash
# Many hosts: deploy/ansible/bench.yml against an sshd of this test's own, on loopback only,
# that answers as two inventory hosts (cand-a on 127.0.0.2, cand-b on 127.0.0.3). Each "host"
# gets the make-dist tarball, builds it in a work directory of its own, runs a tiny profile and
# sends results.csv, meta.json and series/ back; then they are compared. A second run has one
# host fail (a bad profile) and checks that the other still delivers and the run says which.
#
# Locks: lib.sh holds /tmp/hugebench.lock (the e2e lock) for the whole test. The benches run
# over ssh, as processes of their own, and take only hugebench's knob lock (beside its state
# file, /run/hugebench/knobs.state.lock), never /tmp/hugebench.lock, so they cannot wait on us.
# Both names are this machine, so the playbook runs them one at a time (hb_serial=1).
. "$(dirname "$0")/lib.sh"
need_root "the many-host test (its own sshd, root logins to it)"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$(dirname "$HB")" && pwd)
FIX=${HB_FIXTURES:-$SRC/tests/fixtures}
PLAYBOOK=$SRC/deploy/ansible/bench.yml

missing=""
command -v ansible-playbook >/dev/null 2>&1 || missing="$missing ansible"
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
if [ -n "$missing" ]; then
	echo "installing$missing"
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q --no-install-recommends \
		$missing >"$TMP/apt.log" 2>&1 ||
		skip_all "needs$missing; apt-get install failed: $(tail -n 1 "$TMP/apt.log")"
fi

SSHD_DIR=$TMP/ssh
SSHD_PID=""
MADE_PRIVSEP=""
stop_sshd() {
	[ -n "$SSHD_PID" ] || return 0
	# SSHD_PID is timeout's: it passes the TERM on to sshd. The pid file is sshd's own.
	[ -s "$SSHD_DIR/sshd.pid" ] && kill "$(cat "$SSHD_DIR/sshd.pid")" 2>/dev/null
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=""
	# sshd wants its privilege separation directory; remove it only if we made it.
	[ -n "$MADE_PRIVSEP" ] && rmdir /run/sshd 2>/dev/null
	MADE_PRIVSEP=""
}
# A bench still running on a "host" when a playbook timed out: ours by its work directory.
stop_benches() {
	local pids
	# shellcheck disable=SC2086
	pids=$(pgrep -f -- "$TMP/remote/") && kill $pids 2>/dev/null
	return 0
}
trap 'stop_benches; stop_sshd; rm -rf "$TMP"' EXIT

# --- 1. The sshd: own host key, own client key, loopback addresses, key logins only.
mkdir -m 700 "$SSHD_DIR"
ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_key" || skip_all "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/client_key" || skip_all "ssh-keygen failed"
cp "$SSHD_DIR/client_key.pub" "$SSHD_DIR/authorized_keys"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# StrictModes no: the keys sit under $TMP, in a world-writable /tmp that sshd would refuse.
cat >"$SSHD_DIR/sshd_config" <<EOF
ListenAddress 127.0.0.1
ListenAddress 127.0.0.2
ListenAddress 127.0.0.3
HostKey $SSHD_DIR/host_key
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
AllowUsers root
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
[ -d /run/sshd ] || { mkdir -p /run/sshd && MADE_PRIVSEP=1; }
/usr/sbin/sshd -t -f "$SSHD_DIR/sshd_config" -p "$PORT" >"$TMP/out" 2>&1 ||
	skip_all "sshd refuses the test's config: $(head -n 1 "$TMP/out")"
# PLAY_MAX: each playbook's bound (it builds hugebench twice): a guard against a play that
# hangs, not a guess at how long a build takes. A broken build or a refused login ends the play
# on its own, with its exit status; only a hang meets this bound, so it is far above what a
# slow host needs (30 min was not enough for one play on this machine at half speed: its
# builds went on past it). sshd outlives both plays (the EXIT trap stops it; its own timeout is
# for a test that was SIGKILLed).
PLAY_MAX=10800
timeout $((2 * PLAY_MAX + 300)) /usr/sbin/sshd -D -f "$SSHD_DIR/sshd_config" -p "$PORT" \
	-E "$SSHD_DIR/sshd.log" &
SSHD_PID=$!

SSH_OPTS="-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=$SSHD_DIR/known_hosts \
-o IdentitiesOnly=yes -o BatchMode=yes"
# logs_in: one login to the test's sshd (ConnectTimeout: no single attempt hangs the wait).
logs_in() {
	# shellcheck disable=SC2086
	ssh $SSH_OPTS -i "$SSHD_DIR/client_key" -p "$PORT" -o ConnectTimeout=60 root@127.0.0.3 \
		true 2>/dev/null
}
if wait_until -p "$SSHD_PID" "a login to the test's sshd" logs_in; then
	pass "sshd of the test on 127.0.0.1-3 port $PORT"
else
	fail "sshd did not come up on port $PORT"; sed 's/^/    /' "$SSHD_DIR/sshd.log" | head
	done_tests
fi

# --- 2. Inventory: two names for this machine, each with a work directory under $TMP (never
# the source tree this test runs from).
inventory() { # inventory FILE [EXTRA cand-b VARS]
	cat >"$1" <<EOF
[candidates]
cand-a ansible_host=127.0.0.2 hb_remote_dir=$TMP/remote/cand-a
cand-b ansible_host=127.0.0.3 hb_remote_dir=$TMP/remote/cand-b ${2:-}

[candidates:vars]
ansible_user=root
ansible_port=$PORT
ansible_ssh_private_key_file=$SSHD_DIR/client_key
ansible_ssh_common_args='$SSH_OPTS'
ansible_python_interpreter=/usr/bin/python3
hb_profile=$FIX/profiles/ansible-tiny.ini
EOF
}
inventory "$TMP/inventory.ini"
# Ansible's own files under $TMP too; no ssh master left behind after the play (ControlMaster
# would keep sessions into our sshd for a minute).
mkdir -p "$TMP/ansible"
cat >"$TMP/ansible.cfg" <<EOF
[defaults]
home = $TMP/ansible
local_tmp = $TMP/ansible/local
remote_tmp = $TMP/ansible/remote
retry_files_enabled = False
nocolor = True
[ssh_connection]
ssh_args = -o ControlMaster=no -o ControlPath=none
pipelining = True
EOF

# play LOG ARGS...: the playbook, bounded, without the make jobserver of make check.
play() {
	local log=$1; shift
	ANSIBLE_CONFIG=$TMP/ansible.cfg timeout $PLAY_MAX env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		ansible-playbook -i "$TMP/inventory.ini" "$PLAYBOOK" -e hb_serial=1 \
		-e "hb_build_dir=$BUILD" -e "hb_results_dir=$TMP/hosts" "$@" >"$log" 2>&1
}

# --- 3. The bench on both, one after the other.
start=$(date +%s)
play "$TMP/play1.log" -e hb_compare=true -e "hb_compare_out=$TMP/compare-play"
rc=$?
if [ $rc = 0 ]; then pass "playbook on cand-a, cand-b (exit 0, $(($(date +%s) - start)) s)"; else
	fail "playbook: exit $rc"
	{ grep -E 'fatal|FAILED|ERROR|msg' "$TMP/play1.log" | head -20; tail -n 5 "$TMP/play1.log"; } |
		cut -c 1-400 | sed 's/^/    /'
fi
n=$(grep -c '^PLAY \[hugebench: build and bench on each host\]' "$TMP/play1.log")
[ "$n" = 2 ] && pass "hb_serial=1: one host per batch" || fail "hb_serial=1: $n batches, wanted 2"

# --- 4. What came back.
for h in cand-a cand-b; do
	d=$TMP/hosts/$h
	if [ -s "$d/results.csv" ] && python3 -m json.tool "$d/meta.json" >/dev/null 2>&1; then
		pass "$h: results.csv and meta.json fetched"
	else
		fail "$h: no results.csv or valid meta.json in $d"; ls -la "$d" 2>&1 | sed 's/^/    /'
	fi
	for b in 4k thp; do
		s=$(metric "$d/results.csv" "$b" status 2>/dev/null)
		[ "$s" = ok ] && pass "$h: $b cells ok" || fail "$h: $b status '${s:-none}'"
	done
	[ -n "$(ls "$d/series" 2>/dev/null)" ] && pass "$h: series/ fetched" || fail "$h: no series/"
	[ ! -e "$d/plots" ] && [ ! -e "$d/report.md" ] || fail "$h: plots or report fetched"
	# Each host ran in its own work directory and named its results after itself.
	grep -qs "$TMP/remote/$h/results/$h" "$d/meta.json" && pass "$h: ran in its own work dir" ||
		fail "$h: meta.json does not name $TMP/remote/$h/results/$h"
	[ -x "$TMP/remote/$h/src/hugebench" ] || fail "$h: no build in $TMP/remote/$h/src"
done
left=$(find "$BUILD" -maxdepth 1 -name 'hugebench-ansible*')
[ -z "$left" ] && [ ! -e "$TMP/hosts/.stage" ] &&
	pass "no tarball or staging directory left" || fail "tarball or $TMP/hosts/.stage left"

# --- 5. The hosts side by side, as ratios to each repetition's 4k cell.
"$HB" compare --relative-to 4k --out "$TMP/cmp" "$TMP/hosts/cand-a" "$TMP/hosts/cand-b" \
	>"$TMP/out" 2>&1
rc=$?
# 0 or 1 (no candidate worse, or some worse) both wrote the report; noise decides which.
case $rc in
0 | 1) pass "compare cand-a cand-b (exit $rc)" ;;
*) fail "compare: exit $rc"; sed 's/^/    /' "$TMP/out" | head ;;
esac
grep -Eq '^cand-b against cand-a: (machine differences|same machine settings)' "$TMP/out" &&
	pass "compare names both hosts and their machine differences" || fail "compare: no machine line"
grep -Eq '^touch +thp .*ns_per_touch \(ratio\)' "$TMP/out" &&
	pass "compare: the thp walk as a ratio to 4k" || fail "compare: no thp ratio line"
[ -s "$TMP/cmp/compare.md" ] && [ -s "$TMP/cmp/compare.html" ] &&
	pass "compare wrote compare.md and compare.html" || fail "compare wrote no report"
if command -v gnuplot >/dev/null; then
	# one group of bars per host: the data file's rows are the hosts
	dat="$TMP/cmp/plots/compare_touch_ns_per_touch.dat"
	[ -s "${dat%.dat}.png" ] && [ "$(cut -f1 "$dat" | tail -n +2 | tr '\n' ' ')" = "cand-a cand-b " ] &&
		pass "side-by-side chart: one group per host" || fail "no per-host chart ($dat)"
fi
[ -s "$TMP/compare-play/compare.md" ] && pass "the playbook's compare wrote its report" ||
	fail "the playbook's compare (hb_compare=true) wrote no $TMP/compare-play/compare.md"
# HB_KEEP=DIR keeps the hosts' results and the report, to look at.
[ -n "${HB_KEEP:-}" ] && mkdir -p "$HB_KEEP" && cp -r "$TMP/hosts" "$TMP/cmp" "$HB_KEEP/"

# --- A host whose bench fails (exit 2, bad profile): the other still delivers, the run fails
# and names it; cleanup removes both work directories; the earlier build is reused.
inventory "$TMP/inventory.ini" "hb_profile=$FIX/profiles/bad_param.ini"
play "$TMP/play2.log" -e hb_rebuild=false -e hb_remote_cleanup=true
rc=$?
[ $rc = 2 ] && pass "playbook with a failing host: exit 2" || fail "failing host: exit $rc, wanted 2"
grep -q 'no results from cand-b: cand-b: hugebench bench: exit 2 hugebench: bench: .*sizee' "$TMP/play2.log" &&
	pass "the run names cand-b and its bench's exit 2" ||
	{ fail "no 'no results from cand-b ... exit 2' line"; grep msg "$TMP/play2.log" | head -5 |
		cut -c 1-400; }
[ -s "$TMP/hosts/cand-a/results.csv" ] && [ ! -e "$TMP/hosts/cand-b" ] &&
	pass "cand-a fetched again, no stale cand-b results" || fail "results after the failing run"
grep -A1 '^TASK \[./bootstrap.sh\]' "$TMP/play2.log" | grep -q '^skipping' &&
	pass "hb_rebuild=false kept the build" || fail "hb_rebuild=false rebuilt"
[ ! -e "$TMP/remote/cand-a" ] && [ ! -e "$TMP/remote/cand-b" ] &&
	pass "hb_remote_cleanup removed both work dirs (also the failed host's)" ||
	fail "work dirs left: $(ls "$TMP/remote" 2>&1)"

# --- 5. Stop sshd; nothing of ours left.
pid=$(cat "$SSHD_DIR/sshd.pid" 2>/dev/null)
stop_sshd
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && ! pgrep -f -- "$SSHD_DIR/sshd_config" >/dev/null &&
	[ -z "$(ss -Htan "( sport = :$PORT )" 2>/dev/null | grep -v TIME-WAIT)" ]; then
	pass "sshd stopped: no process, listener or connection of ours left"
else
	fail "sshd (pid ${pid:-?}, port $PORT) left something"; ss -tanp "( sport = :$PORT )" | head
fi
done_tests
