#!/bin/bash
# `hugebench advise` on hand-made runs (tests/fixtures/advise-*, make-advise.py): advise.md and
# the four files, each valid where its checker is installed (bash -n; systemd-analyze verify of
# a unit with the drop-in; ansible-playbook --syntax-check of deploy/ansible/apply.yml with the
# variables), the decision on stdout, and bad input (exit 2, nothing written).
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
FIX=${HB_FIXTURES:-$SRC/tests/fixtures}

cp -r "$FIX/advise-churn" "$TMP/run"
expect_exit 0 "advise, default out dir" "$HB" advise "$TMP/run"
expect_out "^## Priority balanced: " "stdout: the balanced decision"
for f in advise.md apply.sh kernel-cmdline.txt hugebench-advice.conf ansible-vars.yml; do
	[ -s "$TMP/run/advise/$f" ] && pass "wrote $f" || fail "no $f in RUN/advise"
done
ls "$TMP/run/advise" | grep -q tmp && fail "a temporary file left" || pass "no temporary file"

out=$TMP/thr
expect_exit 0 "advise --priority throughput --memory-limit 1000M --out" \
	"$HB" advise "$FIX/advise-churn" --priority throughput --memory-limit 1000M --out "$out"
expect_out "^## Priority throughput: thp$" "throughput: thp (thp-always ruled out)"
expect_out "thp-always: its memory figure, 1190000 KiB, is above --memory-limit" \
	"says what the limit ruled out"
grep -m1 . "$out/advise.md" | grep -q "^# hugebench advise" && pass "advise.md titled" ||
	fail "advise.md has no title"
[ "$(grep -c '^## Priority' "$out/advise.md")" = 4 ] && pass "advise.md has four priorities" ||
	fail "advise.md lacks a priority"
grep -m1 '^## Priority' "$out/advise.md" | grep -q throughput &&
	pass "the chosen priority first" || fail "the chosen priority is not first"

bash -n "$out/apply.sh" && pass "bash -n apply.sh" || fail "apply.sh does not parse"
grep -q "set_knob '/sys/kernel/mm/transparent_hugepage/enabled' 'madvise'" "$out/apply.sh" &&
	pass "apply.sh sets THP madvise" || fail "apply.sh lacks the THP write"
# apply.sh against a fake sysfs file: it writes the value and undo.sh puts the old one back.
sys=$TMP/sys; mkdir -p "$sys"
echo "always [madvise] never" > "$sys/enabled"
sed "s#/sys/kernel/mm/transparent_hugepage/enabled#$sys/enabled#" "$out/apply.sh" > "$sys/apply.sh"
UNDO=$sys/undo.sh bash "$sys/apply.sh" >/dev/null 2>&1 && [ "$(cat "$sys/enabled")" = madvise ] &&
	pass "apply.sh writes the value" || fail "apply.sh did not write"
grep -q "^echo madvise > $sys/enabled" "$sys/undo.sh" && pass "undo.sh saves the old value" ||
	fail "undo.sh lacks the old value"
grep -qx "transparent_hugepage=madvise" "$out/kernel-cmdline.txt" &&
	pass "kernel command line" || fail "kernel-cmdline.txt: $(cat "$out/kernel-cmdline.txt")"
grep -q '^Environment="MALLOC_CONF=dirty_decay_ms:0,thp:always"' "$out/hugebench-advice.conf" &&
	pass "drop-in: jemalloc asks for THP" || fail "drop-in lacks MALLOC_CONF"

if command -v systemd-analyze >/dev/null; then
	unit=$TMP/units/hb-advise-test.service; mkdir -p "$TMP/units"
	{ printf '[Unit]\nDescription=hugebench advise test\n'
	  printf '[Service]\nExecStart=/bin/true\n'
	  grep -v '^\[Service\]' "$out/hugebench-advice.conf"; } > "$unit"
	if systemd-analyze verify "$unit" >"$TMP/verify" 2>&1; then pass "systemd-analyze verify"
	else fail "systemd-analyze verify"; sed 's/^/    /' "$TMP/verify"; fi
else
	echo "note: systemd-analyze not installed: the drop-in not verified"
fi
if command -v ansible-playbook >/dev/null; then
	if (cd "$out" && ansible-playbook -i localhost, --syntax-check \
		"$SRC/deploy/ansible/apply.yml" -e @ansible-vars.yml) >"$TMP/ans" 2>&1; then
		pass "ansible-playbook --syntax-check apply.yml -e @ansible-vars.yml"
	else fail "ansible syntax check"; sed 's/^/    /' "$TMP/ans" | tail -20; fi
else
	echo "note: ansible-playbook not installed (apt-get install ansible-core): not checked"
fi

# What the runs cannot tell comes with a command that parses.
expect_exit 0 "advise a run that cannot decide" "$HB" advise "$FIX/advise-open" \
	--priority latency --out "$TMP/open"
expect_out "not decided" "says it is not decided"
cmd=$(grep -o '`hugebench run sparse -b 4k,thp [^`]*`' "$TMP/out" | head -n 1 | tr -d '`')
[ -n "$cmd" ] && pass "names the command: $cmd" || fail "no command to run"
# shellcheck disable=SC2086
expect_exit 0 "that command parses" "$HB" run --dry-run ${cmd#hugebench run }

# Every command the rules name (measure) and advise builds parses: from a run of sparse alone
# (the others' rules name theirs) and one of churn alone (sparse's), every priority.
expect_exit 0 "advise a sparse-only run, fork snapshots" "$HB" advise "$FIX/advise-open" \
	--fork-snapshots --out "$TMP/o1"
expect_exit 0 "advise a churn-only run" "$HB" advise "$FIX/advise-churn" --out "$TMP/o2"
grep -ho '`hugebench [^`]*`' "$TMP/o1/advise.md" "$TMP/o2/advise.md" | tr -d '`' | sort -u \
	> "$TMP/cmds"
[ "$(wc -l < "$TMP/cmds")" -ge 8 ] && pass "$(wc -l < "$TMP/cmds") commands named" ||
	fail "only $(wc -l < "$TMP/cmds") commands named"
while read -r hb sub rest; do
	# shellcheck disable=SC2086
	eval "set -- $rest"
	# The dry run also checks the fit against MemAvailable, which another run may hold.
	if "$HB" "$sub" --dry-run "$@" >"$TMP/out" 2>&1; then pass "parses: $hb $sub $rest"
	elif grep -q "but MemAvailable is" "$TMP/out"; then
		pass "parses (does not fit in the memory free now): $hb $sub $rest"
	else fail "does not parse: $hb $sub $rest"; sed 's/^/    /' "$TMP/out" | head -5; fi
done < "$TMP/cmds"

expect_exit 2 "unknown priority" "$HB" advise "$FIX/advise-churn" --priority fast --out "$TMP/x"
expect_out "priority 'fast'.*latency, throughput, memory, balanced" "names the accepted"
expect_exit 2 "bad size" "$HB" advise "$FIX/advise-churn" --memory-limit 12Q --out "$TMP/x"
expect_out "memory-limit '12Q'" "names the bad size"
expect_exit 2 "a RUN that is not a results directory" "$HB" advise "$TMP" --out "$TMP/x"
expect_out "is not a results directory" "says RUN is not one"
expect_exit 2 "no RUN" "$HB" advise
[ -e "$TMP/x" ] && fail "bad input wrote $TMP/x" || pass "bad input wrote nothing"
done_tests
