#!/bin/bash
# hugebench inspect on running touch cells (root): a thp and an mthp-64k cell inspected while
# they walk their region; inspect's per-size figures of the cell's process agree with the
# cell's own folio_kib_* rows (its region: the process has a little more of its own), and,
# when HB_THPMAPS names the kernel's tools/mm/thpmaps (it needs python3-numpy), with thpmaps'
# rollup of the same process (docs/inspect.md says how the figures map), run by Debian's
# /usr/bin/python3 (python3-numpy).
. "$(dirname "$0")/lib.sh"
need_root "inspecting a cell's process needs its pagemap PFNs"

SIZE_MIB=256
within() { awk -v p="$1" -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d;
	exit !(a != "" && b != "" && d <= p / 100 * (b > 0 ? b : 1)) }'; }
# The cell child (forked by run, or exec'd as __cell) whose Rss has reached the region's size: its pid.
cell_pid() {
	local p rss
	for p in $(pgrep -f "hugebench (__cell|run touch)"); do
		rss=$(awk '/^Rss:/ { print $2 }' /proc/$p/smaps_rollup 2>/dev/null)
		[ -n "$rss" ] && [ "$rss" -ge $((SIZE_MIB * 1024)) ] && { echo $p; return 0; }
	done
	return 1
}
found_cell() { cell=$(cell_pid); }

for b in thp mthp-64k; do
	before=$(knob_snapshot)
	"$HB" run touch --backing $b -p size=${SIZE_MIB}M -p stride=8 -p passes=300 --reps 1 \
		--out "$TMP/$b" --quiet >"$TMP/$b.log" 2>&1 &
	run=$!
	if ! wait_until -p $run "the $b cell's process to populate its region" found_cell; then
		fail "$b: no running cell to inspect"; sed 's/^/    /' "$TMP/$b.log" | tail -5
		wait $run
		continue
	fi
	t0=$(date +%s.%N)
	"$HB" inspect "$cell" --json >"$TMP/$b.json" 2>"$TMP/$b.err"
	t1=$(date +%s.%N)
	if [ -n "${HB_THPMAPS:-}" ]; then
		/usr/bin/python3 "$HB_THPMAPS" --pid "$cell" --rollup >"$TMP/$b.thpmaps" 2>&1
		t2=$(date +%s.%N)
	fi
	wait $run
	csv="$TMP/$b/results.csv"
	[ -f "$csv" ] || { fail "$b: the run wrote no results.csv"; continue; }
	if [ "$(metric "$csv" $b status)" != ok ]; then
		echo "note: $b cell status $(metric "$csv" $b status): nothing to compare"
		continue
	fi
	order=2m; [ $b = mthp-64k ] && order=64k
	cell_kib=$(metric "$csv" $b folio_kib_$order)
	ins_kib=$(jq ".total.total.folio_kib.\"$order\" // 0" "$TMP/$b.json")
	ins_anon=$(jq ".total.anon.folio_kib.\"$order\" // 0" "$TMP/$b.json")
	echo "$b: cell folio_kib_$order $cell_kib; inspect (anon) $ins_anon, all $ins_kib KiB;" \
		"inspect took $(echo "$t1 - $t0" | bc) s"
	# The cell's rows count its region; the process's other anonymous memory may add a
	# little in the same size (at most 1%).
	if [ "$ins_anon" -ge "$cell_kib" ] && within 1 "$ins_anon" "$cell_kib"; then
		pass "$b: inspect's folio_kib $order of the process agrees with the cell's own row"
	else
		fail "$b: inspect $ins_anon KiB in $order folios, the cell $cell_kib"
	fi
	if [ -n "${HB_THPMAPS:-}" ]; then
		if [ $b = thp ]; then
			tm=$(awk '/^anon-thp-pmd-aligned-2048kB:/ { print $2 }' "$TMP/$b.thpmaps")
			ours=$(jq '.total.anon.pmd_mapped_kib' "$TMP/$b.json")
		else
			tm=$(awk '/^anon-thp-pte-aligned-64kB:/ { print $2 }' "$TMP/$b.thpmaps")
			ours=$ins_anon
		fi
		echo "$b: thpmaps ${tm:-?} KiB, inspect $ours KiB; thpmaps took $(echo "$t2 - $t1" | bc) s"
		within 1 "$ours" "${tm:-0}" && pass "$b: inspect agrees with thpmaps" ||
			{ fail "$b: inspect $ours KiB, thpmaps ${tm:-none}"; head -20 "$TMP/$b.thpmaps"; }
	fi
	[ "$(knob_snapshot)" = "$before" ] && pass "$b: the machine settings are as before" ||
		fail "$b: settings changed: $(knob_snapshot)"
done
done_tests
