#!/bin/bash
# `hugebench calibrate`: bad input; the report section from a hand-made calibration.csv
# (verdicts with known answers) in `hugebench plot`; then, as root, the whole path with the
# stand-in pairs (HB_CALIBRATE_PAIRS=test: touch against forkcow, churn glibc against
# jemalloc) in seconds: the CSV's medians, ratios and empty fields, the report, the charts,
# the machine settings put back; and the real pairs --quick when this hugebench has them.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "calibrate --help" "$HB" calibrate --help
expect_out "calibration\.csv" "--help names calibration.csv"
expect_exit 0 "hugebench --help lists calibrate" "$HB" --help
expect_out "^  calibrate " "the command list has calibrate"
expect_exit 2 "--reps 0" "$HB" calibrate --reps 0
expect_out "--reps '0'" "--reps names the bad value"
expect_exit 2 "--reps x" "$HB" calibrate --reps x
expect_exit 2 "--reps +2" "$HB" calibrate --reps +2
expect_out "--reps '\\+2'" "--reps '+2' is refused by name"
expect_exit 2 "an unexpected argument" "$HB" calibrate stray
expect_out "unexpected argument 'stray'" "the stray argument is named"
expect_exit 2 "an unknown option" "$HB" calibrate --bogus
expect_exit 2 "an unknown pair table" env HB_CALIBRATE_PAIRS=nope "$HB" calibrate --quick
expect_out "HB_CALIBRATE_PAIRS='nope'; accepted: test" "the bad table is named"
real_ok=1
if ! "$HB" list | grep -q '^  redis '; then
	real_ok=0
	expect_exit 2 "the real pairs without the redis workload" "$HB" calibrate --quick \
		--out "$TMP/none"
	expect_out "workload 'redis' is not built into this hugebench" "it says redis is missing"
	[ ! -e "$TMP/none" ] && pass "nothing was run" || fail "a results directory was made"
elif ! "$HB" churn --help | grep -q 'jemalloc+redis'; then
	real_ok=0
	expect_exit 2 "the real pairs without the jemalloc+redis preset" "$HB" calibrate --quick \
		--out "$TMP/none"
	expect_out "jemalloc\+redis" "it names the missing preset"
fi

# --- The section from a calibration.csv alone, with answers known: m_time 1.5x and 6x (a
# factor 2 rule: no), thp-always lower on the real side, higher on the simulated one;
# rss_kib_after_drain 1.1x and 1.15x (20%: yes), same ordering; charged/Rss within 20% but
# above 1 on one side only (no); a missing figure.
cp -r "$HB_FIXTURES/results-mini" "$TMP/mini"
rm -rf "$TMP/mini/plots" "$TMP/mini/report.md" "$TMP/mini/report.html"
cat >"$TMP/mini/calibration.csv" <<'EOF'
metric,backing,real,simulated,ratio
m_time,4k,10,15,1.5
m_time,thp-always,5,30,6
rss_kib_after_drain,4k,100,110,1.1
rss_kib_after_drain,thp-always,200,230,1.15
charged_per_rss_after_drain,4k,1.05,0.95,0.904762
charged_per_rss_after_drain,thp-always,1.1,1.2,1.09091
only_real,4k,7,,
only_real,thp-always,8,,
fork_ms_per_gib,4k,40,55,1.375
fork_ms_per_gib,thp-always,4,7,1.75
EOF
expect_exit 0 "plot a run with a calibration.csv" "$HB" plot "$TMP/mini"
md="$TMP/mini/report.md"
grep -q "^## Calibration: real against simulated" "$md" && pass "the report has the section" ||
	fail "no calibration section in report.md"
grep -q "the fork time per GiB within a factor of 1.5" "$md" &&
	pass "the report states the fork rule (1.5x)" || fail "the report's rules omit fork's 1.5x"
grep -q "| m_time | no: 4k 1.5x, thp-always 6x (to agree: within 2x) | differs: thp-always against 4k: lower (real), higher (simulated) (thp-always / 4k: real 0.5, simulated 2) |" "$md" &&
	pass "a factor-2 verdict and a different ordering" || fail "m_time verdict: $(grep '| m_time | [a-z]' "$md")"
grep -q "| rss_kib_after_drain | yes: 4k 1.1x, thp-always 1.15x (to agree: within 20%) | same: thp-always against 4k: higher on both sides (thp-always / 4k: real 2, simulated 2.09) |" "$md" &&
	pass "a 20% verdict and the same ordering" || fail "rss verdict: $(grep '| rss_kib_after_drain | [a-z]' "$md")"
grep -q "| charged_per_rss_after_drain | no: 4k 0.905x but above 1 on the real side only, thp-always 1.09x" "$md" &&
	pass "charged/Rss must be on the same side of 1" || fail "charged/Rss verdict: $(grep '| charged_per_rss_after_drain | [a-z]' "$md")"
grep -q "| only_real | cannot tell: 4k: no simulated figure; thp-always: no simulated figure | cannot tell: a figure is missing |" "$md" &&
	pass "a missing side is no verdict" || fail "only_real verdict: $(grep '| only_real | [a-z]' "$md")"
grep -q "| only_real | 4k | 7 | - | - |" "$md" && pass "a missing figure is '-' in the table" ||
	fail "the missing figure is not '-'"
grep -q "| fork_ms_per_gib | no: 4k 1.38x, thp-always 1.75x (to agree: within 1.5x) | same: thp-always against 4k: lower on both sides (thp-always / 4k: real 0.1, simulated 0.127) |" "$md" &&
	pass "fork time per GiB: a 1.5x bar, and the ratio between the backings on each side" ||
	fail "fork verdict: $(grep '| fork_ms_per_gib | [a-z]' "$md")"
grep -q "1 of 5 metrics agree on every backing; 3 of 5 have the same ordering" "$md" &&
	pass "the summary counts" || fail "summary: $(grep 'metrics agree' "$md")"
grep -q "Calibration: real against simulated" "$TMP/mini/report.html" && pass "and report.html" ||
	fail "no section in report.html"
if command -v gnuplot >/dev/null; then
	for c in m_time rss_kib_after_drain only_real; do
		[ -s "$TMP/mini/plots/calibration_$c.png" ] && pass "chart calibration_$c" ||
			fail "no chart calibration_$c.png"
	done
	grep -q "plots/calibration_m_time.png" "$md" && pass "the chart is in the report" ||
		fail "chart not in report.md"
fi
# The paired form (8 columns): the ratio is the median of the per-repetition ratios, not
# simulated / real of the medians (here 1.2 and 1.1 where the medians give 1.375 and 1.75),
# shown with its range; the ordering adds the paired ratio between the backings (1.1 / 1.2).
cat >"$TMP/mini/calibration.csv" <<'EOF'
metric,backing,real,simulated,ratio,ratio_min,ratio_max,pairs
fork_ms_per_gib,4k,40,55,1.2,0.9,1.6,5
fork_ms_per_gib,thp-always,4,7,1.1,0.5,2.2,5
only_real,4k,7,,,,,0
EOF
expect_exit 0 "plot a run with a paired calibration.csv" "$HB" plot "$TMP/mini"
grep -q "| fork_ms_per_gib | 4k | 40 | 55 | 1.2x \[0.9-1.6\], 5 pairs |" "$md" &&
	pass "the table shows the paired ratio with its range" ||
	fail "paired table row: $(grep '| fork_ms_per_gib | 4k' "$md")"
grep -q "| fork_ms_per_gib | yes: 4k 1.2x, thp-always 1.1x (to agree: within 1.5x) | same: thp-always against 4k: lower on both sides (thp-always / 4k: real 0.1, simulated 0.127; simulated / real of that, paired: 0.917x) |" "$md" &&
	pass "the verdict is on the paired ratio, the ordering gives it between the backings" ||
	fail "paired verdict: $(grep '| fork_ms_per_gib | [a-z]' "$md")"
printf 'metric,backing,real,simulated,ratio,ratio_min,ratio_max,pairs\nm,4k,1,2,2,,,3\n' >"$TMP/mini/calibration.csv"
expect_exit 0 "plot with paired ratios missing their range" "$HB" plot "$TMP/mini"
grep -q "calibration.csv:2: ratio '2' \[-\] over '3' pairs: expected numbers and a whole count" "$md" &&
	pass "a paired row without its range is reported" || fail "bad paired row not reported"
printf 'metric,backing,real,simulated,ratio\nm_time,4k,ten,15,\n' >"$TMP/mini/calibration.csv"
expect_exit 0 "plot with a bad calibration.csv" "$HB" plot "$TMP/mini"
grep -q "calibration.csv:2: real 'ten' or simulated '15' is not a number" "$md" &&
	pass "the report says which line is bad" || fail "bad CSV not reported"
rm "$TMP/mini/calibration.csv"
expect_exit 0 "plot without calibration.csv" "$HB" plot "$TMP/mini"
grep -q "Calibration" "$md" && fail "a section without calibration.csv" ||
	pass "no section without calibration.csv"

need_root "calibrate's thp-always cells (setting the THP mode)"

# --- The whole path with the stand-in pairs.
before=$(knob_snapshot)
run="$TMP/run"
HB_CALIBRATE_PAIRS=test "$HB" calibrate --quick --reps 2 --quiet --out "$run" >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
[ "$rc" = 0 ] && pass "stand-in calibration (exit 0)" || { fail "stand-in calibration: exit $rc"; cat "$TMP/stderr"; }
[ "$(knob_snapshot)" = "$before" ] && pass "machine settings restored" || fail "knobs changed"
[ "$(tail -2 "$TMP/stdout" | tr '\n' ' ')" = "$run/calibration.csv $run/calibration.md " ] &&
	pass "prints the CSV and the report" || fail "stdout: $(cat "$TMP/stdout")"
csv="$run/calibration.csv"
[ "$(head -1 "$csv")" = "metric,backing,real,simulated,ratio,ratio_min,ratio_max,pairs" ] &&
	pass "CSV header" || fail "header: $(head -1 "$csv")"
awk -F, 'NF != 8 { bad = 1 } END { exit bad }' "$csv" && pass "8 fields in every row" ||
	fail "a row without 8 fields"
ls "$run" | grep -q '\.tmp\.' && fail "a temporary file is left" || pass "no temporary file left"
# The pilot: one repetition of the real side whose figures set forkcow's phase_time
# (the stand-in rule: the real side's populate_ms); the comparison is made on the main run.
[ "$(awk -F, 'NR > 1 { print $1 "," $4 }' "$run/pilot/results.csv" | sort -u | tr '\n' ' ')" = "touch,1 " ] &&
	pass "the pilot ran the real side of the pair that needs it, once" ||
	fail "pilot cells: $(awk -F, 'NR > 1 { print $1 "," $4 }' "$run/pilot/results.csv" | sort -u)"
for b in 4k thp-always; do
	p=$(awk -F, -v b=$b '$1 == "touch" && $2 == b && $5 == "populate_ms" { printf "%.0f", $6 < 1 ? 1 : $6 }' \
		"$run/pilot/results.csv")
	grep -q "^forkcow,$b,[^,]*phase_time=${p}ms;" "$run/results.csv" &&
		pass "$b: the twin's phase_time is the pilot's populate_ms (${p}ms)" ||
		fail "$b: no forkcow cell with phase_time=${p}ms"
done
# Real side and twin beside each other in every repetition: rep 1 of both before any rep 2.
awk -F, 'NR > 1 { if ($4 < last) bad = 1; last = $4; if ($4 == 1) seen[$1] = 1 }
	END { exit bad || !seen["touch"] || !seen["forkcow"] }' "$run/results.csv" &&
	pass "each repetition runs the real side and its twin before the next" ||
	fail "cells out of repetition order: $(awk -F, 'NR > 1 { print $1, $2, $4 }' "$run/results.csv" | uniq | head -12)"
row() { awk -F, -v m="$1" -v b="$2" '$1 == m && $2 == b' "$csv"; }
for b in 4k thp-always; do
	r=$(row populate_ms $b)
	[ -n "$r" ] || { fail "no populate_ms row for $b"; continue; }
	# the median of the two repetitions, each side from its own cell in results.csv
	want=$(awk -F, -v b=$b '$1 == "touch" && $2 == b && $5 == "populate_ms" { s += $6; n++ }
		END { if (n == 2) printf "%.12g", s / n }' "$run/results.csv")
	got=$(echo "$r" | cut -d, -f3)
	# equal to the CSV's 10 significant digits (a string compare after rounding both to 6
	# digits failed when the mean sat on a rounding edge)
	[ -n "$want" ] && awk -v a="$want" -v b="$got" 'BEGIN { d = (a - b) / a; exit !(d < 1e-9 && d > -1e-9) }' &&
		pass "populate_ms $b real is the median of 2 reps" ||
		fail "populate_ms $b real $got, want $want"
	# paired: simulated / real within each repetition (forkcow's and touch's rows of the
	# same rep), the median of the two (their mean), the range, 2 pairs
	want=$(awk -F, -v b=$b '$2 == b && $5 == "populate_ms" && $1 == "touch" { r[$4] = $6 }
		$2 == b && $5 == "populate_ms" && $1 == "forkcow" { s[$4] = $6 }
		END { q1 = s[1] / r[1]; q2 = s[2] / r[2]; lo = q1 < q2 ? q1 : q2; hi = q1 < q2 ? q2 : q1
			printf "%.12g %.12g %.12g", (q1 + q2) / 2, lo, hi }' "$run/results.csv")
	echo "$r" | awk -F, -v w="$want" 'BEGIN { split(w, q, " ") }
		function near(a, b) { return (a - b) / b < 1e-4 && (a - b) / b > -1e-4 }
		{ exit !(near($5, q[1]) && near($6, q[2]) && near($7, q[3]) && $8 == 2) }' &&
		pass "populate_ms $b ratio is the median of the paired ratios, with their range" ||
		fail "populate_ms $b ratio: $r (want median, min, max $want over 2 pairs)"
	echo "$(row ns_per_touch $b)" | grep -Eq '^ns_per_touch,'$b',[0-9.e+-]+,,,,,0$' &&
		pass "$b: a figure the simulated side lacks is empty, ratio too" ||
		fail "ns_per_touch $b: $(row ns_per_touch $b)"
	echo "$(row fork_ms_per_gib $b)" | grep -Eq '^fork_ms_per_gib,'$b',,[0-9.e+-]+,,,,0$' &&
		pass "$b: a figure the real side lacks is empty" ||
		fail "fork_ms_per_gib $b: $(row fork_ms_per_gib $b)"
	c=$(row charged_kib_after_drain $b | cut -d, -f3)
	s=$(row rss_kib_after_drain $b | cut -d, -f3)
	q=$(row charged_per_rss_after_drain $b | cut -d, -f3)
	if [ -z "$c" ] && ! have_memcg; then
		# no memory cgroup here (e.g. a chroot without /sys/fs/cgroup): charged is
		# unavailable, so charged/Rss must be empty too, not a guess
		[ -z "$q" ] && pass "$b: no memory cgroup: charged and charged/Rss empty" ||
			fail "$b: charged/Rss '$q' without a charged figure"
		continue
	fi
	awk -v c="$c" -v s="$s" -v q="$q" 'BEGIN { exit !(s > 0 && q > 0 && (c / s - q) / q < 1e-6 &&
		(c / s - q) / q > -1e-6) }' && pass "$b: charged/Rss is charged over Rss ($q)" ||
		fail "$b: charged/Rss $q, charged $c, Rss $s"
done
grep -q '^copied_kib_per_dirtied_page,' "$csv" && fail "a both-sides-only metric one side lacks has rows" ||
	pass "a both-sides-only metric one side lacks has no rows"
awk -F, 'NR > 1 { for (i = 3; i <= 7; i++) if ($i == "0") bad = 1 } END { exit !bad }' "$csv" &&
	fail "a 0 stands for a missing figure: $(awk -F, 'NR > 1 && ($3 == "0" || $4 == "0" || $5 == "0")' "$csv")" ||
	pass "no 0 for a missing figure"
for f in calibration.md calibration.html; do
	grep -q "Calibration: real against simulated" "$run/$f" && pass "$f has the section" ||
		fail "$f lacks the section"
done
grep -Eq "^\| populate_ms \| (yes|no): 4k [0-9.]+x, thp-always [0-9.]+x \(to agree: within 2x\)" \
	"$run/calibration.md" && pass "a verdict for populate_ms" || fail "no populate_ms verdict"
if command -v gnuplot >/dev/null; then
	[ -s "$run/plots/calibration_populate_ms.png" ] && [ -s "$run/plots/calibration_populate_ms.svg" ] &&
		pass "chart of real against simulated" || fail "no populate_ms chart"
	grep -q $'^4k\t[0-9.e+-]*\t' "$run/plots/calibration_populate_ms.dat" &&
		pass "the chart has a group per backing" || fail "chart data: $(cat "$run/plots/calibration_populate_ms.dat")"
fi
expect_exit 0 "plot the calibration run" "$HB" plot "$run"
grep -q "^## Calibration: real against simulated" "$run/report.md" &&
	pass "the bench report of the run has the section" || fail "report.md lacks the section"
grep -q '"kind": "calibrate"' "$run/meta.json" && pass "meta.json says calibrate" ||
	fail "meta.json kind: $(grep '"kind"' "$run/meta.json")"

# --- The real pairs, tiny, when this hugebench has them (redis-server, the preset).
if [ "$real_ok" = 1 ]; then
	HB_CALIBRATE_PAIRS= "$HB" calibrate --quick --reps 1 --quiet --out "$TMP/real" \
		>"$TMP/out" 2>&1
	rc=$?
	case $rc in
	0 | 4) pass "real pairs --quick ran (exit $rc)" ;;
	*) fail "real pairs --quick: exit $rc"; head -20 "$TMP/out" ;;
	esac
	for m in fork_ms_per_gib copied_kib write_p99_us_snapshot rss_kib_after_drain \
		charged_kib_after_drain frag_ratio_after_drain charged_per_rss_after_drain; do
		grep -q "^$m,4k," "$TMP/real/calibration.csv" 2>/dev/null && pass "real: $m row" ||
			fail "real: no $m row"
	done
	[ "$(knob_snapshot)" = "$before" ] && pass "machine settings restored" || fail "knobs changed"
	pgrep -x redis-server >/dev/null && fail "a redis-server is left" || pass "no redis-server left"
else
	echo "note: the real pairs are not built here: only the stand-ins ran"
fi
done_tests
