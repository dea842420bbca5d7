#!/bin/bash
# hugebench(1) is built from the binary's own --help: it renders, and it lists every
# workload `hugebench list` shows with every parameter its --help shows.
. "$(dirname "$0")/lib.sh"

PAGE=${HB_MAN:-$(dirname "$HB")/hugebench.1}
[ -f "$PAGE" ] || skip_all "no man page at $PAGE (configure found no help2man)"
command -v man >/dev/null || skip_all "no man command to render $PAGE"

expect_exit 0 "man renders the page" env MANWIDTH=200 MAN_KEEP_FORMATTING= man -l "$PAGE"
col -b <"$TMP/out" >"$TMP/page"
cp "$TMP/page" "$TMP/out"
expect_out "^NAME" "the page has a NAME section"
expect_out "^SYNOPSIS" "the page has a SYNOPSIS"
expect_out "hugebench[[:space:]]+run[[:space:]]+WORKLOAD[[:space:]]+\[--backing" "the synopsis has run's usage (justified: any spacing)"
expect_out "^RUN OPTIONS" "the page has run's options"
expect_out "hugebench[[:space:]]+compare[[:space:]]+BASE[[:space:]]+NEW[[:space:]]+\[NEW\.\.\.\]" "the synopsis has compare's usage (justified: any spacing)"
expect_out "^COMPARE OPTIONS" "the page has compare's options"
expect_out "--relative-to BACKING" "compare's options come from compare --help"
expect_out "--series-interval DURATION" "run's options come from run --help"
expect_out "^WORKLOADS" "the page has a WORKLOADS section"
grep -q 'available here\]\|not available here' "$TMP/page" &&
	fail "the page says what is available on the build machine" ||
	pass "nothing machine-specific from list"

workloads=$("$HB" list | awk '/^workloads:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $1 }')
[ -n "$workloads" ] || fail "hugebench list names no workload"
# The WORKLOADS section alone, so a parameter named elsewhere on the page does not count.
sed -n '/^WORKLOADS/,/^[A-Z]/p' "$TMP/page" >"$TMP/workloads"
for w in $workloads; do
	# the subsection: from "   w" to the next subsection or section
	awk -v w="$w" '$0 == "   " w { on = 1; next } on && /^   [^ ]|^[A-Z]/ { exit } on' \
		"$TMP/workloads" >"$TMP/sub"
	if [ ! -s "$TMP/sub" ]; then
		fail "no subsection for workload $w"
		continue
	fi
	missing=""
	for p in $("$HB" "$w" --help | awk '/^parameters /{ on = 1; next } on && /^$/ { exit }
		on && /^  [^ ]/ { print $1 }'); do
		grep -Eq "^       $p=" "$TMP/sub" || missing="$missing $p"
	done
	[ -z "$missing" ] && pass "workload $w: every parameter is on the page" ||
		fail "workload $w: parameters missing from the page:$missing"
	missing=""
	for m in $("$HB" "$w" --help | awk '/^rows of results.csv/ { on = 1; next }
		on && !/^ / { exit } on && /^  [^ ]/ { print $1 }'); do
		grep -Fq "       $m (" "$TMP/sub" || missing="$missing $m"
	done
	[ -n "$("$HB" "$w" --help | grep '^rows of results.csv')" ] &&
		[ -z "$missing" ] && pass "workload $w: every row it declares is on the page" ||
		fail "workload $w: rows missing from the page (or no rows in --help):$missing"
done
sed -n '/^RESULT ROWS/,/^[A-Z]/p' "$TMP/page" >"$TMP/rows"
missing=""
for m in $("$HB" __metrics list harness | awk '/^  [^ ]/ { print $1 }'); do
	grep -Fq "       $m (" "$TMP/rows" || missing="$missing $m"
done
[ -s "$TMP/rows" ] && [ -z "$missing" ] && pass "RESULT ROWS lists every row of the harness" ||
	fail "RESULT ROWS lacks harness rows:$missing"
done_tests
