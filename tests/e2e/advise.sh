#!/bin/bash
# `hugebench advise` on hand-made runs (tests/fixtures/advise-*, make-advise.py): advise.md and
# the four files, each valid where its checker is installed (bash -n; systemd-analyze verify of
# a unit with the drop-in; ansible-playbook --syntax-check of deploy/ansible/apply.yml with the
# variables), the decision on stdout, an inspect output alone and beside a run (the service
# now, --memory-limit scaled to it), and bad input (exit 2, nothing written).
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
FIX=${HB_FIXTURES:-$SRC/tests/fixtures}

# parses CMD...: the dry run of a command advise named exits 0. It also checks the fit against
# MemAvailable, which another run may hold: that refusal comes after the arguments parsed.
parses() {
	if "$@" >"$TMP/out" 2>&1; then pass "parses: ${*:2}"
	elif grep -q "but MemAvailable is" "$TMP/out"; then
		pass "parses (does not fit in the memory free now): ${*:2}"
	else fail "does not parse: ${*:2}"; sed 's/^/    /' "$TMP/out" | head -5; fi
}

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
parses "$HB" run --dry-run ${cmd#hugebench run }

# Every command the rules name (measure) and advise builds parses: from a run of sparse alone
# (the others' rules name theirs) and one of churn alone (sparse's), every priority.
expect_exit 0 "advise a sparse-only run, fork snapshots" "$HB" advise "$FIX/advise-open" \
	--fork-snapshots --out "$TMP/o1"
expect_exit 0 "advise a churn-only run" "$HB" advise "$FIX/advise-churn" --out "$TMP/o2"
# named FILE...: every `hugebench ...` command in FILEs, one a line, into $TMP/cmds; each parses.
named() {
	grep -ho '`hugebench [^`]*`' "$@" | tr -d '`' | sort -u > "$TMP/cmds"
	while read -r hb sub rest; do
		# shellcheck disable=SC2086
		eval "set -- $rest"
		parses "$HB" "$sub" --dry-run "$@"
	done < "$TMP/cmds"
}
named "$TMP/o1/advise.md" "$TMP/o2/advise.md"
[ "$(wc -l < "$TMP/cmds")" -ge 8 ] && pass "$(wc -l < "$TMP/cmds") commands named" ||
	fail "only $(wc -l < "$TMP/cmds") commands named"

# An inspect output (tests/fixtures/advise-inspect): alone it says what the service gets now
# and decides nothing (advise.md only, no settings files); beside a run it opens the decision
# and scales --memory-limit to the service.
cp -r "$FIX/advise-inspect" "$TMP/svc"
expect_exit 0 "advise an inspect output alone" "$HB" advise "$TMP/svc"
expect_out "^## The service now" "stdout: the service now"
expect_out "charged \(its memory cgroup\): 1146720 KiB" "the service's charged memory"
expect_out "it runs as \*\*thp-always\*\*" "its THP mode as a backing"
expect_out "^## Priority balanced: nothing decided" "decides nothing"
expect_out '`hugebench run churn -b 4k,thp,thp-always -p keys=100000 --reps 3 -p allocator=jemalloc`' \
	"names the run that would measure it, with the service's malloc"
[ -s "$TMP/svc/advise/advise.md" ] && [ ! -e "$TMP/svc/advise/apply.sh" ] &&
	pass "advise.md, no settings files" || fail "inspect alone: $(ls "$TMP/svc/advise" 2>&1)"
named "$TMP/svc/advise/advise.md"
expect_exit 0 "advise a run and an inspect output, --memory-limit 800M" "$HB" advise \
	"$FIX/advise-churn" "$FIX/advise-inspect" --priority throughput --memory-limit 800M \
	--out "$TMP/scaled"
expect_out "^## Priority throughput: thp$" "throughput: thp (fits once scaled to the service)"
expect_out "memory on thp, predicted: 814268 KiB .*, -332452 KiB \(-29%\) against the 1146720 KiB" \
	"the predicted memory, against the service's now"
expect_out "thp-always: the service's predicted memory, 1146720 KiB.*above --memory-limit" \
	"thp-always ruled out by its prediction"
grep -q '^## The service now' "$TMP/scaled/advise.md" && pass "advise.md opens with the service" ||
	fail "advise.md lacks the service"
expect_exit 0 "the same without the inspect output" "$HB" advise "$FIX/advise-churn" \
	--priority throughput --memory-limit 800M --out "$TMP/unscaled"
expect_out "^## Priority throughput: nothing fits$" "unscaled, nothing fits 800M"
expect_exit 2 "two inspect outputs" "$HB" advise "$FIX/advise-inspect" "$TMP/svc" --out "$TMP/x"
expect_out "a second inspect output" "says one is accepted"
mkdir -p "$TMP/badsvc"; printf 'a,b\n1,2\n' > "$TMP/badsvc/inspect.csv"
expect_exit 2 "an inspect.csv that is not inspect's" "$HB" advise "$TMP/badsvc" --out "$TMP/x"
expect_out "not inspect's" "names what is wrong"
expect_exit 0 "--dry-run with an inspect output" "$HB" advise "$FIX/advise-churn" \
	"$FIX/advise-inspect" --dry-run --out "$TMP/x"
expect_out "and an inspect output" "the dry run names it"

expect_exit 2 "unknown priority" "$HB" advise "$FIX/advise-churn" --priority fast --out "$TMP/x"
expect_out "priority 'fast'.*latency, throughput, memory, balanced" "names the accepted"
expect_exit 2 "bad size" "$HB" advise "$FIX/advise-churn" --memory-limit 12Q --out "$TMP/x"
expect_out "memory-limit '12Q'" "names the bad size"
expect_exit 2 "a RUN that is not a results directory" "$HB" advise "$TMP" --out "$TMP/x"
expect_out "is not a results directory .* nor an inspect output" "says RUN is neither"
expect_exit 2 "no RUN" "$HB" advise
[ -e "$TMP/x" ] && fail "bad input wrote $TMP/x" || pass "bad input wrote nothing"
done_tests
