#!/bin/bash
# Every row is declared, and what is said about the rows comes from the declarations:
#  - each metric table of the docs (a block <!-- metrics:begin NAME --> ... <!-- metrics:end -->
#    in README.md, docs/ or workloads/) is what `hugebench __metrics markdown NAME` prints, and
#    every workload has its block; `tests/e2e/metrics.sh --update` rewrites the blocks;
#  - `hugebench __metrics check DIR` passes a run whose rows are declared and names a row that
#    is not (tests/unit/test_metrics runs every workload and checks its rows the same way);
#  - `hugebench WORKLOAD --help` lists the workload's rows and names the harness's.
# No cell runs here.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

# The pages that hold blocks, relative to SRC.
pages() {
	(cd "$SRC" && grep -rl --include='*.md' '^<!-- metrics:begin ' README.md docs workloads \
		2>/dev/null | sort)
}

# block FILE NAME: the lines of the block of NAME in FILE, markers included
block() {
	awk -v n="$2" '$0 == "<!-- metrics:begin " n " -->" { on = 1 } on { print }
		on && /^<!-- metrics:end -->$/ { exit }' "$1"
}

if [ "${1:-}" = --update ]; then
	for f in $(pages); do
		for name in $(sed -n 's/^<!-- metrics:begin \([^ ]*\) -->$/\1/p' "$SRC/$f"); do
			"$HB" __metrics markdown "$name" >"$TMP/new" || exit 1
			awk -v n="$name" -v new="$TMP/new" '
				$0 == "<!-- metrics:begin " n " -->" {
					while ((getline l < new) > 0) print l
					skip = 1; next
				}
				skip && /^<!-- metrics:end -->$/ { skip = 0; next }
				!skip { print }' "$SRC/$f" >"$TMP/page" && cat "$TMP/page" >"$SRC/$f"
			echo "updated: $f ($name)"
		done
	done
	exit 0
fi

# --- the docs' tables
seen=" "
for f in $(pages); do
	for name in $(sed -n 's/^<!-- metrics:begin \([^ ]*\) -->$/\1/p' "$SRC/$f"); do
		seen="$seen$name "
		if ! "$HB" __metrics markdown "$name" >"$TMP/want" 2>"$TMP/err"; then
			fail "$f: block '$name': $(cat "$TMP/err")"
			continue
		fi
		block "$SRC/$f" "$name" >"$TMP/have"
		if cmp -s "$TMP/want" "$TMP/have"; then
			pass "$f: the table of $name is the declarations'"
		else
			fail "$f: the table of $name differs from the declarations (tests/e2e/metrics.sh --update rewrites it):"
			diff "$TMP/want" "$TMP/have" | head -n 10 | sed 's/^/    /'
		fi
	done
done
for w in $("$HB" list | awk '/^workloads:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $1 }'); do
	case "$seen" in
	*" $w "*) ;;
	*) fail "no page has the metric table of workload $w (<!-- metrics:begin $w -->)" ;;
	esac
done

# --- a run's results.csv against the declarations
mkdir -p "$TMP/run"
cat >"$TMP/run/results.csv" <<'CSV'
workload,backing,params,rep,metric,value,unit,note
touch,4k,size=8M,1,ns_per_touch,7.7,ns,
touch,4k,size=8M,1,populate_ms,4.1,ms,
touch,4k,size=8M,1,walk_ms,3,ms,
touch,4k,size=8M,1,folio_kib_2m,unavailable,KiB,not root
touch,4k,size=8M,1,charged_kib,unavailable,,no cgroup
touch,4k,size=8M,1,pmu:perf::PAGE-FAULTS,12,events,
touch,4k,size=8M,1,status,ok,,
CSV
expect_exit 0 "__metrics check: every row declared" "$HB" __metrics check "$TMP/run"
expect_out "7 rows, 0 undeclared" "it counts the rows it checked"
echo 'touch,4k,size=8M,1,ns_per_touhc,7.7,ns,' >>"$TMP/run/results.csv"
echo 'touch,4k,size=8M,1,ns_per_touhc,7.9,ns,' >>"$TMP/run/results.csv"
echo 'touch,4k,size=8M,1,walk_ms,3,s,' >>"$TMP/run/results.csv"
expect_exit 1 "__metrics check: an undeclared row fails" "$HB" __metrics check "$TMP/run"
expect_out "row 'ns_per_touhc' of workload touch is not declared" "it names the row"
expect_out "row 'walk_ms' of workload touch has unit 's', declared 'ms'" "and a wrong unit"
expect_out "10 rows, 2 undeclared" "each problem once"
expect_exit 2 "__metrics check: no run there" "$HB" __metrics check "$TMP/none"
expect_exit 2 "__metrics: an unknown name" "$HB" __metrics list no-such-workload

# --- --help
expect_exit 0 "hugebench run forkcow --help" "$HB" run forkcow --help
expect_out "^rows of results.csv" "it has the rows"
expect_out "^  fork_us +us +time, lower is better" "with forkcow's fork_us, its unit and kind"
expect_out "^  write_<pct>_us_<phase> " "and its patterns"
expect_out "populate_ms," "and names the harness's rows"
done_tests
