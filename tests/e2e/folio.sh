#!/bin/bash
# Proof per folio order: folio_kib_<size> and pmd_mapped_kib from pagemap + kpageflags agree
# with smaps on 4k, thp, thp-always, mthp-64k and hugetlb-2m cells (root); without root the
# rows are unavailable with the reason and huge_coverage_pct stays with smaps.
. "$(dirname "$0")/lib.sh"

SIZE_KIB=65536
THP=/sys/kernel/mm/transparent_hugepage
# within PCT A B: |A - B| <= PCT% of B (both numbers)
within() { awk -v p="$1" -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d;
	exit !(a != "" && b != "" && d <= p / 100 * (b > 0 ? b : 1)) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a >= b) }'; }
note() { awk -F, -v b="$2" -v m="$3" '$2 == b && $5 == m { print; exit }' "$1"; }
# The smaps figure the pmd_mapped_kib row quotes: AnonHugePages + *_Hugetlb of the regions.
smaps_huge() { note "$1" "$2" pmd_mapped_kib | sed -n 's/.*AnonHugePages + \*_Hugetlb: \([0-9]*\) kB.*/\1/p'; }
folio_rows() { awk -F, -v b="$2" '$2 == b && $5 ~ /^folio_kib_/ { print $5 "=" $6 }' "$1"; }

# Without root: as nobody when we are root, else as ourselves.
nr="$TMP/nonroot"
mkdir -p "$nr" && chmod 777 "$nr" && chmod 755 "$TMP"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
hb_abs=$(cd "$(dirname "$HB")" && pwd)/$(basename "$HB")
(cd "$nr" && HOME="$nr" "${as_user[@]}" "$hb_abs" run touch --backing 4k,thp -p size=64M --reps 1 \
	--out "$nr/r" >"$nr/log" 2>&1)
csv="$nr/r/results.csv"
if [ ! -f "$csv" ]; then
	fail "non-root run wrote no results.csv"; sed 's/^/    /' "$nr/log" | head -20
else
	for b in 4k thp; do
		[ "$(metric "$csv" $b status)" = ok ] || [ "$(metric "$csv" $b status)" = fallback ] ||
			{ fail "non-root $b status $(metric "$csv" $b status)"; continue; }
		rows=$(folio_rows "$csv" $b)
		if [ -n "$rows" ] && ! echo "$rows" | grep -qv '=unavailable$'; then
			pass "non-root $b: every folio_kib_* row unavailable"
		else
			fail "non-root $b folio rows: $rows"
		fi
		n=$(note "$csv" $b pmd_mapped_kib)
		echo "$n" | grep -Eq ',pmd_mapped_kib,unavailable,KiB,.*(kpageflags|PFN).*smaps' &&
			pass "non-root $b: pmd_mapped_kib unavailable with the reason" ||
			fail "non-root $b pmd_mapped_kib row: $n"
		n=$(note "$csv" $b huge_coverage_pct)
		echo "$n" | grep -Eq ',huge_coverage_pct,[0-9.]+,%,.*smaps' &&
			pass "non-root $b: huge_coverage_pct from smaps ($(metric "$csv" $b huge_coverage_pct)%)" ||
			fail "non-root $b coverage row: $n"
	done
fi

if [ "$(id -u)" != 0 ]; then
	echo "note: the per-order checks against smaps need root (pagemap PFNs, kpageflags)"
	done_tests
fi

backings=4k,thp,thp-always,hugetlb-2m
if [ -f $THP/hugepages-64kB/enabled ]; then
	backings=$backings,mthp-64k
else
	echo "note: mthp-64k skipped: this kernel has no $THP/hugepages-64kB/enabled"
fi
before=$(knob_snapshot)
expect_exit 0 "run touch 64M on $backings" \
	"$HB" run touch --backing "$backings" -p size=64M --reps 1 --out "$TMP/r"
csv="$TMP/r/results.csv"
after=$(knob_snapshot)
[ "$before" = "$after" ] && pass "knobs and pools restored" || fail "knobs changed: $before -> $after"

status() { metric "$csv" "$1" status; }
f() { metric "$csv" "$1" "folio_kib_$2"; }
others_zero() { # BACKING SIZE: every folio_kib_* row but SIZE is 0
	folio_rows "$csv" "$1" | grep -v "^folio_kib_$2=" | grep -qv '=0$' && return 1; return 0; }

# 4k: every page a 4 KiB folio, nothing PMD-mapped, and smaps agrees.
ge "$(f 4k 4k)" $((SIZE_KIB * 99 / 100)) && others_zero 4k 4k &&
	pass "4k: folio_kib_4k $(f 4k 4k), other sizes 0" || fail "4k folio rows: $(folio_rows "$csv" 4k)"
[ "$(metric "$csv" 4k pmd_mapped_kib)" = 0 ] && [ "$(smaps_huge "$csv" 4k)" = 0 ] &&
	pass "4k: pmd_mapped_kib 0, smaps 0" || fail "4k pmd row: $(note "$csv" 4k pmd_mapped_kib)"

# THP: AnonHugePages == folio_kib_2m == pmd_mapped_kib within 1%, coverage computed from them.
for b in thp thp-always; do
	s=$(smaps_huge "$csv" $b) k=$(f $b 2m) p=$(metric "$csv" $b pmd_mapped_kib)
	within 1 "$k" "$s" && within 1 "$p" "$s" &&
		pass "$b: AnonHugePages $s ~ folio_kib_2m $k ~ pmd_mapped_kib $p" ||
		fail "$b: AnonHugePages '$s', folio_kib_2m '$k', pmd_mapped_kib '$p'"
	c=$(metric "$csv" $b huge_coverage_pct)
	within 1 "$c" "$(awk -v k="$k" -v t=$SIZE_KIB 'BEGIN { print 100 * k / t }')" &&
		note "$csv" $b huge_coverage_pct | grep -q 'pagemap' &&
		pass "$b: huge_coverage_pct $c% from the folio figures" ||
		fail "$b coverage: $(note "$csv" $b huge_coverage_pct)"
	if [ "$b" = thp-always ] || ! grep -q '\[never\]' $THP/enabled; then
		ge "$k" $((SIZE_KIB * 9 / 10)) && pass "$b: mostly 2 MiB folios ($k KiB)" ||
			echo "note: $b got only $k KiB in 2 MiB folios (memory fragmented?)"
	fi
done

# mTHP 64K: mostly 64 KiB folios, none PMD-mapped; coverage from that order, not the stats.
if [ "$(status mthp-64k)" = ok ] || [ "$(status mthp-64k)" = fallback ]; then
	k=$(f mthp-64k 64k) c=$(metric "$csv" mthp-64k huge_coverage_pct)
	ge "$k" $((SIZE_KIB * 9 / 10)) && [ "$(f mthp-64k 2m)" = 0 ] &&
		[ "$(metric "$csv" mthp-64k pmd_mapped_kib)" = 0 ] &&
		pass "mthp-64k: folio_kib_64k $k, no 2 MiB, nothing PMD-mapped" ||
		fail "mthp-64k folio rows: $(folio_rows "$csv" mthp-64k)"
	within 1 "$c" "$(awk -v k="$k" -v t=$SIZE_KIB 'BEGIN { print 100 * k / t }')" &&
		note "$csv" mthp-64k huge_coverage_pct | grep -q 'order 4.*not the machine-wide' &&
		pass "mthp-64k: huge_coverage_pct $c% from the 64K folios" ||
		fail "mthp-64k coverage: $(note "$csv" mthp-64k huge_coverage_pct)"
elif [ -f $THP/hugepages-64kB/enabled ]; then
	echo "note: mthp-64k $(status mthp-64k): $(note "$csv" mthp-64k status)"
fi

# hugetlb-2m: all of it in 2 MiB folios, mapped by PMDs, as smaps' Private_Hugetlb says.
case "$(status hugetlb-2m)" in
ok) s=$(smaps_huge "$csv" hugetlb-2m)
	[ "$(f hugetlb-2m 2m)" = $SIZE_KIB ] && [ "$(metric "$csv" hugetlb-2m pmd_mapped_kib)" = $SIZE_KIB ] &&
		[ "$s" = $SIZE_KIB ] && others_zero hugetlb-2m 2m &&
		pass "hugetlb-2m: folio_kib_2m = pmd_mapped_kib = smaps = $SIZE_KIB" ||
		fail "hugetlb-2m rows: $(folio_rows "$csv" hugetlb-2m) smaps $s" ;;
skipped) echo "note: hugetlb-2m skipped: $(note "$csv" hugetlb-2m status)" ;;
*) fail "hugetlb-2m status $(status hugetlb-2m)" ;;
esac
done_tests
