#!/bin/bash
# The CLI contract: commands, help generated from the tables, bad input exits 2 and writes
# nothing, --dry-run on every command, results files' shape, interleaved repetitions.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--help" "$HB" --help
expect_out "run WORKLOAD" "--help names run"
expect_out "exit status" "--help documents exit codes"
expect_exit 2 "no command" "$HB"
expect_exit 2 "unknown command" "$HB" frobnicate
expect_out "unknown command 'frobnicate'" "unknown command is named"
expect_exit 0 "--version" "$HB" --version

expect_exit 0 "list" "$HB" list
expect_out "^  touch " "list shows the touch workload"
expect_out "^  4k +available" "list shows 4k available"
expect_out "^  hugetlb-2m " "list shows hugetlb-2m"

expect_exit 0 "sysinfo" "$HB" sysinfo
expect_out "kernel" "sysinfo shows the kernel"
expect_out "THP" "sysinfo shows THP settings"
expect_exit 0 "sysinfo --json" "$HB" sysinfo --json
expect_out '"thp"' "sysinfo --json has thp"
expect_out '"hugetlb"' "sysinfo --json has hugetlb pools"
expect_exit 2 "sysinfo bad flag" "$HB" sysinfo --xml

expect_exit 0 "touch --help" "$HB" touch --help
expect_out "size +size +default 64M, range 4K..1T" "touch --help shows size with default and range"
expect_out "stride" "touch --help shows stride"
expect_exit 0 "run touch --help" "$HB" run touch --help
expect_out "passes" "run touch --help shows passes"

cd "$TMP" || exit 1
expect_exit 2 "unknown workload" "$HB" run nosuch
expect_out "unknown workload 'nosuch'" "unknown workload is named"
expect_out "touch" "unknown workload lists accepted"
expect_exit 2 "unknown backing" "$HB" run touch --backing 4k,8k
expect_out "unknown backing '8k'; accepted: 4k, thp" "unknown backing lists accepted"
expect_exit 2 "unknown parameter" "$HB" run touch -p sise=4M
expect_out "did you mean 'size'" "unknown parameter suggests"
expect_exit 2 "out of range" "$HB" run touch -p size=1K
expect_out "parameter 'size': 1K is out of range; accepted 4K..1T" "range is named"
expect_exit 2 "not a size" "$HB" run touch -p size=big
expect_exit 2 "cross-parameter check" "$HB" run touch -p size=8K -p stride=16K
expect_out "stride" "cross-parameter error names stride"
expect_exit 2 "does not fit" "$HB" run touch --backing 4k -p size=1000G
expect_out "MemAvailable" "too big names MemAvailable"
# --reps was strtol: '+5' and ' 5' ran. Digits only, 1..1000.
for r in 0 +5 ' 5' 5x 1001 ''; do
	expect_exit 2 "--reps '$r'" "$HB" run touch --reps "$r"
	expect_out "--reps: '${r//+/\\+}' is not a whole number from 1 to 1000" \
		"--reps '$r': names the value and what is accepted"
done
# A seed is a whole number 0..2^64-1 in decimal: strtoull once took '-3' as 2^64 - 3.
accepted="is not a whole number from 0 to 18446744073709551615 in decimal digits"
for s in -3 18446744073709551616 12x '' +3 0x10; do
	expect_exit 2 "--seed '$s'" "$HB" run touch --seed "$s"
	expect_out "--seed: '${s//+/\\+}' $accepted" "--seed '$s': names the value and what is accepted"
done
# Every command's --help comes from its option table: the usage line, each option with its
# short letter where it has one, --dry-run everywhere.
for c in run bench plot compare baseline noise ab calibrate restore list sysinfo; do
	expect_exit 0 "$c --help" "$HB" $c --help
	expect_out "^usage: hugebench $c" "$c --help: usage line from the table"
	expect_out "^      --dry-run +check every argument" "$c --help lists --dry-run"
done
"$HB" run --help >"$TMP/out" 2>&1
expect_out "^  -p, --param NAME=VALUE" "run --help: -p is the parameter"
expect_out "^  -b, --backing LIST" "run --help: -b is the backing"
"$HB" bench --help >"$TMP/out" 2>&1
expect_out "^      --profile NAME\|FILE" "bench --help: --profile has no short letter"
expect_out "^      --baseline DIR" "bench --help: --baseline has no short letter"
# One meaning per letter: -p is a parameter, -b a backing, in every command.
expect_exit 2 "bench -p (not the profile)" "$HB" bench -p quick --dry-run
expect_exit 2 "bench -b (not the baseline)" "$HB" bench -b "$HB_FIXTURES/compare-base" --dry-run
expect_exit 2 "compare -r (not --relative-to)" "$HB" compare -r 4k "$HB_FIXTURES/compare-base" \
	"$HB_FIXTURES/compare-base" --dry-run

# --dry-run: the arguments are checked as without it, one line says what would happen,
# nothing is run, written, changed or locked. Anywhere among the options.
expect_exit 0 "run --dry-run" "$HB" run touch --dry-run -b 4k,thp -p size=8M -r 2 --out "$TMP/dry"
expect_out "^run: --dry-run: would run 4 cells .* into $TMP/dry" "run --dry-run says what it would run"
[ ! -e "$TMP/dry" ] && pass "run --dry-run made no results directory" || fail "run --dry-run made $TMP/dry"
expect_exit 0 "run --dry-run last" "$HB" run touch -p size=8M --dry-run
expect_exit 0 "run --dry-run before WORKLOAD" "$HB" run --dry-run touch -p size=8M
expect_out "^run: --dry-run: would run" "run --dry-run before WORKLOAD: the same line"
expect_exit 2 "run --dry-run: no workload" "$HB" run --dry-run -p size=8M
expect_out "which workload" "run --dry-run: asks which workload"
expect_exit 2 "run --dry-run: an extra argument" "$HB" run --dry-run touch extra
expect_out "unexpected argument 'extra'" "run --dry-run: names the extra argument"
expect_exit 2 "run --dry-run: bad parameter" "$HB" run touch --dry-run -p size=1K
expect_out "parameter 'size': 1K is out of range; accepted 4K..1T" "run --dry-run: the same message"
expect_exit 2 "run --dry-run: bad --reps" "$HB" run touch --reps 0 --dry-run
expect_out "--reps: '0' is not a whole number from 1 to 1000" "run --dry-run: the --reps message"
expect_exit 2 "run --dry-run: does not fit" "$HB" run touch --dry-run --backing 4k -p size=1000G
expect_out "MemAvailable" "run --dry-run: the fit check"
expect_exit 0 "bench --dry-run" "$HB" bench --dry-run --profile quick --out "$TMP/dry"
expect_out "^bench: --dry-run: would run [0-9]+ cells" "bench --dry-run says what it would run"
expect_exit 2 "bench --dry-run: unknown profile" "$HB" bench --profile nosuch --dry-run
expect_out "no profile 'nosuch'" "bench --dry-run: the profile is named"
expect_exit 2 "bench --dry-run: --baseline alone" "$HB" bench --dry-run --baseline "$TMP"
expect_out "--baseline needs --budget" "bench --dry-run: the --baseline message"
expect_exit 0 "compare --dry-run" "$HB" compare "$HB_FIXTURES/compare-base" \
	"$HB_FIXTURES/results-mini" --dry-run --format md --out "$TMP/dry"
expect_out "^compare: --dry-run: would compare" "compare --dry-run says what it would compare"
expect_exit 2 "compare --dry-run: one run" "$HB" compare --dry-run "$HB_FIXTURES/compare-base"
expect_exit 2 "compare --dry-run: bad --format" "$HB" compare --dry-run --format xml \
	"$HB_FIXTURES/compare-base" "$HB_FIXTURES/compare-base"
expect_out "--format 'xml': accepted: table, csv, md, json" "compare --dry-run: the --format message"
cp -r "$HB_FIXTURES/results-mini" "$TMP/mini"
rm -rf "$TMP/mini/plots" "$TMP/mini/report.md" "$TMP/mini/report.html"
expect_exit 0 "plot --dry-run" "$HB" plot --dry-run "$TMP/mini"
expect_out "^plot: --dry-run: would chart" "plot --dry-run says what it would draw"
[ ! -e "$TMP/mini/plots" ] && [ ! -e "$TMP/mini/report.md" ] && pass "plot --dry-run wrote nothing" ||
	fail "plot --dry-run wrote into $TMP/mini"
expect_exit 2 "plot --dry-run: not a results directory" "$HB" plot "$TMP/nosuch" --dry-run
# noise: fits thresholds from runs; bad input exits 2 naming it.
expect_exit 0 "noise --dry-run" "$HB" noise --profile ci --runs 3 --out "$TMP/ci.ini" --dry-run
expect_out "^noise: --dry-run: would run .*ci.ini 3 times" "noise --dry-run says what it would run"
expect_exit 2 "noise --runs 1" "$HB" noise --runs 1 --dry-run
expect_out "--runs '1': accepted: a whole number from 2 to" "noise --runs: what is accepted"
expect_exit 2 "noise with one RUN" "$HB" noise "$HB_FIXTURES/compare-base"
expect_exit 0 "noise of two runs" "$HB" noise --out "$TMP/fit.ini" "$HB_FIXTURES/compare-base" "$HB_FIXTURES/compare-base"
grep -q '^touch/4k/ns_per_touch = 5 ; 0.0$' "$TMP/fit.ini" && grep -q '^\[sparse-dense\]' "$TMP/fit.ini" &&
	pass "noise --out: the profile with a fitted [thresholds] (the floor where runs agree)" ||
	fail "noise --out: no fitted profile"
expect_exit 0 "compare reads the fitted profile" "$HB" compare --profile "$TMP/fit.ini" "$HB_FIXTURES/compare-base" "$HB_FIXTURES/compare-base"
expect_exit 0 "baseline --dry-run" "$HB" baseline "$TMP/mini" "$TMP/dry" --dry-run
expect_out "^baseline: --dry-run: would write [0-9]+ of the [0-9]+ rows" "baseline --dry-run counts the rows"
[ ! -e "$TMP/dry" ] && pass "no directory from any dry run" || fail "a dry run made $TMP/dry"
expect_exit 0 "calibrate --dry-run" env HB_CALIBRATE_PAIRS=test "$HB" calibrate --quick --dry-run
expect_out "^calibrate: --dry-run: would run [0-9]+ cells" "calibrate --dry-run says what it would run"
expect_exit 2 "calibrate --dry-run: bad --reps" "$HB" calibrate --dry-run --reps 0
expect_out "--reps '0' is not a whole number from 1 to 1000" "calibrate --dry-run: the --reps message"
expect_exit 0 "restore --dry-run" "$HB" restore --dry-run
expect_out "^restore: --dry-run: " "restore --dry-run says what it would restore"
expect_exit 2 "restore --dry-run: an argument" "$HB" restore --dry-run now
expect_exit 0 "list --dry-run" "$HB" list --dry-run
expect_exit 0 "sysinfo --dry-run" "$HB" sysinfo --dry-run --json
# No lock: a dry run answers while another run holds the machine (which refuses a real one).
if [ "$(id -u)" = 0 ]; then
	mkdir -p /run/hugebench
	exec 8>>/run/hugebench/run.lock
	flock 8
	expect_exit 0 "run --dry-run beside a run that holds the machine" \
		"$HB" run touch --backing 4k -p size=4M --dry-run
	expect_exit 5 "a real run is refused meanwhile" "$HB" run touch --backing 4k -p size=4M \
		--out "$TMP/refused"
	exec 8>&-
fi
[ ! -e results ] && pass "bad input and dry runs wrote no results" || fail "bad input or a dry run created results/"

expect_exit 0 "small run, 2 reps, 2 backings" "$HB" run touch --backing 4k,thp -p size=8M --reps 2 \
	--seed 18446744073709551615 --out "$TMP/r1"
csv="$TMP/r1/results.csv"
[ -s "$csv" ] && pass "results.csv written" || fail "no results.csv"
[ -s "$TMP/r1/meta.json" ] && pass "meta.json written" || fail "no meta.json"
head -1 "$csv" | grep -qx 'workload,backing,params,rep,metric,value,unit,note' &&
	pass "csv header" || fail "csv header: $(head -1 "$csv")"
order=$(awk -F, '$5 == "status" { printf "%s/%s ", $2, $4 }' "$csv")
[ "$order" = "4k/1 thp/1 4k/2 thp/2 " ] && pass "repetitions interleaved ($order)" ||
	fail "cell order '$order', wanted interleaved 4k/1 thp/1 4k/2 thp/2"
for m in huge_coverage_pct rss_kib populate_ms walk_ms ns_per_touch minflt majflt; do
	v=$(metric "$csv" 4k "$m")
	[ -n "$v" ] && pass "4k reports $m ($v)" || fail "4k lacks $m"
done
grep -q 'params' "$csv" && grep -q 'size=8M;stride=4K;passes=5' "$csv" &&
	pass "params column is canonical" || fail "params column"
rss=$(metric "$csv" 4k rss_kib)
[ "${rss%.*}" -ge 8192 ] && pass "4k rss_kib $rss >= 8192" || fail "4k rss_kib $rss < 8192"
ls "$TMP/r1/series/touch-4k-1-r1.csv" >/dev/null 2>&1 && pass "series file per cell" || fail "no series file"
grep -q '"complete": true' "$TMP/r1/meta.json" && pass "meta.json complete" || fail "meta.json not complete"
grep -q '"seed": "18446744073709551615"' "$TMP/r1/meta.json" && pass "meta.json has the seed 2^64-1 exactly" ||
	fail "meta.json seed: $(grep '"seed"' "$TMP/r1/meta.json")"
grep -q '"kernel"' "$TMP/r1/meta.json" && grep -q '"commit"' "$TMP/r1/meta.json" &&
	pass "meta.json has sysinfo and commit" || fail "meta.json lacks sysinfo or commit"
ls "$TMP/r1" | grep -q '\.tmp\.' && fail "temp files left" || pass "no temp files left"

# run --knob NAME=VALUE: bad input exits 2 before anything runs, naming what is accepted.
expect_exit 2 "run --knob: an unknown knob" "$HB" run touch --backing 4k --knob thp/nosuch=1 --dry-run
expect_out "--knob thp/nosuch=1: unknown knob 'thp/nosuch'; accepted: thp/enabled, thp/defrag, .*mthp/<N>kB/enabled" \
	"run --knob: names the knobs accepted"
expect_exit 2 "run --knob: a value the knob does not take" "$HB" run touch --backing 4k --knob thp/defrag=sometimes --dry-run
expect_out "'sometimes' is not a value it takes; accepted: always, defer, defer\+madvise, madvise, never" \
	"run --knob: names the values accepted"
expect_exit 2 "run --knob: an mTHP size this kernel lacks" "$HB" run touch --backing 4k --knob mthp/3kB/enabled=always --dry-run
expect_out "this kernel has no 3kB mTHP size; the sizes it has: " "run --knob: names the sizes there are"
expect_exit 2 "run --knob without =" "$HB" run touch --backing 4k --knob thp/defrag --dry-run
expect_exit 2 "bench --knob: a bad value" "$HB" bench --knob khugepaged/max_ptes_none=512 --dry-run
expect_out "accepted: 0-511" "bench --knob: the range"
expect_exit 0 "run --knob --dry-run" "$HB" run touch --backing 4k --knob khugepaged/defrag=0 --dry-run
expect_out "would set knob khugepaged/defrag=0 before its backing's own settings" "run --knob --dry-run names the knob"

if [ "$(id -u)" = 0 ]; then
	# A value other than the machine's, so that the cell's own setting shows.
	defrag=/sys/kernel/mm/transparent_hugepage/defrag
	want=defer
	grep -q '\[defer\]' $defrag && want=never
	before=$(knob_snapshot)
	expect_exit 0 "run --knob thp/defrag=$want" "$HB" run touch --backing 4k -p size=4M -p passes=2 \
		--knob thp/defrag=$want --out "$TMP/knob"
	[ "$(metric "$TMP/knob/results.csv" 4k knob:thp/defrag)" = "$want" ] &&
		pass "run --knob: the cell's row knob:thp/defrag is $want" || fail "run --knob: no knob row"
	grep -q "\"thp/defrag\": \"$want\"" "$TMP/knob/meta.json" && pass "run --knob: meta.json knobs" ||
		fail "run --knob: meta.json lacks the knob"
	[ "$(knob_snapshot)" = "$before" ] && pass "run --knob: the knob is back after the run" ||
		fail "run --knob: knobs $(knob_snapshot), were $before"
	# During the cell the machine has it; a SIGKILL of the run mid-cell: its guardian puts it back.
	"$HB" run touch --backing 4k -p size=256M -p stride=8 -p passes=1000 --knob thp/defrag=$want \
		--out "$TMP/knob-kill" >"$TMP/knob-kill.log" 2>&1 &
	pid=$!
	if wait_changed $pid; then
		grep -q "\[$want\]" $defrag && pass "run --knob: set during the cell" ||
			fail "run --knob: during the cell defrag is $(cat $defrag)"
		kill -KILL $pid
		wait $pid 2>/dev/null
		back() { [ "$(knob_snapshot)" = "$before" ]; }
		wait_until "the guardian to put thp/defrag back" back &&
			pass "run --knob: back after SIGKILL of the run (guardian)" ||
			fail "run --knob: after SIGKILL knobs $(knob_snapshot)"
		wait_until "the state file to go" eval '"$HB" restore --dry-run 2>&1 | grep -q "nothing to restore"' &&
			pass "run --knob: nothing left to restore" || fail "run --knob: $("$HB" restore --dry-run 2>&1)"
	else
		fail "run --knob: the knob never changed"; cat "$TMP/knob-kill.log"; wait $pid
	fi
fi

done_tests
