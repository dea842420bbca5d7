#!/bin/bash
# make check-asan, second half: asan_workloads.sh HUGEBENCH runs every workload `HUGEBENCH
# list` shows once (4k backing, one repetition, tiny parameters) with the sanitizer reports
# of every process (harness, cell child, exec'd `hugebench __cell`) going to log files; any
# report, or a run that fails, fails the target. A workload without tiny parameters here
# fails too: add its line below.
set -u
HB=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hb-asan.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Another allocator preloaded under ASan's does not work (ASan interposes malloc and must come
# first): churn runs with glibc only; jemalloc/tcmalloc/mimalloc cells are not run here.
tiny() {
	case $1 in
	touch) echo "-p size=8M -p passes=2" ;;
	sparse) echo "-p span=1M -p duration=10ms -p samples=1" ;;
	churn) echo "-p allocator=glibc -p keys=2000 -p churn_time=100ms -p idle=0 -p refill=0" ;;
	forkcow) echo "-p size=4M -p hold=0 -p phase_time=20ms" ;;
	redis) echo "-p keys=2000 -p phase_time=20ms -p idle=0 -p sample=10ms" ;;
	# aged a little, so the fragmenter (in the harness) runs under the sanitizers too; a
	# cell without root is skipped, not failed
	defrag) echo "-p size=8M -p watch=1s -p settle=0 -p repair=collapse -p age=0.1" ;;
	*) return 1 ;;
	esac
}
# defrag studies THP faults and refuses other backings; the rest run on 4k.
backing_of() { case $1 in defrag) echo thp ;; *) echo 4k ;; esac; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}:log_path=$TMP/report"
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1}:log_path=$TMP/report"
fails=0
workloads=$("$HB" list | awk '/^workloads:/ { on = 1; next } /^[a-z]+:/ { on = 0 } on { print $1 }')
[ -n "$workloads" ] || { echo "FAIL: $HB list shows no workload"; exit 1; }
for w in $workloads; do
	if ! p=$(tiny "$w"); then
		echo "FAIL: $w: no tiny parameters in $0"
		fails=$((fails + 1))
		continue
	fi
	if [ "$w" = redis ] && ! command -v redis-server >/dev/null; then
		echo "skipped: redis: redis-server is not installed"
		continue
	fi
	rm -f "$TMP"/report*
	# shellcheck disable=SC2086 # $p is the word list of -p options
	flock /tmp/hugebench.lock "$HB" run "$w" --backing "$(backing_of "$w")" --reps 1 --quiet --seed 1 \
		--out "$TMP/$w" $p >"$TMP/$w.out" 2>&1
	rc=$?
	reports=$(cat "$TMP"/report* 2>/dev/null)
	bad=$(awk -F, 'NR > 1 && $6 == "failed" { print $5 ": " $8 }' "$TMP/$w/results.csv" \
		2>/dev/null | head -n 3)
	if [ -n "$reports" ]; then
		echo "FAIL: $w: sanitizer report:"
		echo "$reports" | head -n 40 | sed 's/^/    /'
		fails=$((fails + 1))
	elif [ "$rc" != 0 ] || [ -n "$bad" ]; then
		echo "FAIL: $w: exit $rc ${bad:+(failed rows: $bad)}"
		tail -n 15 "$TMP/$w.out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok: $w under ASan+UBSan: $(($(wc -l <"$TMP/$w/results.csv") - 1)) rows, no report"
	fi
done
[ "$fails" = 0 ] || { echo "$fails workload run(s) failed under ASan+UBSan"; exit 1; }
