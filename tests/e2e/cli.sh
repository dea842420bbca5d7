#!/bin/bash
# The CLI contract: commands, help generated from the tables, bad input exits 2 and writes
# nothing, results files' shape, interleaved repetitions.
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
[ ! -e results ] && pass "bad input wrote no results" || fail "bad input created results/"

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

done_tests
