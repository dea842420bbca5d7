#!/bin/bash
# The structure rules (harness/LAYERS, README "Writing a workload"), checked on the source
# tree: the folders of harness/ include only downwards in the order harness/LAYERS gives (the
# folder graph is printed; no circle, no upward edge) and Makefile.am builds each folder with
# exactly those include paths; harness/api/ is headers only; a workload sees only the workload
# API, names no sysfs/procfs path; the generic report and results code names no workload; no
# source file outside tests/ is over 600 lines; code that used to be copied exists once.
# Prints every violation as FILE:LINE: RULE: what, and fails if there is any. Needs only bash,
# grep, awk, sed and find: no build, no git.
#
# usage: tests/e2e/structure.sh [SOURCE_DIR]   (default: the tree this script is in)
set -u
export LC_ALL=C
ROOT=${1:-${HB_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}}
cd "$ROOT" || { echo "structure: cannot enter '$ROOT'"; exit 2; }
[ -d harness/api ] && [ -d workloads ] || {
	echo "structure: '$ROOT' is not a hugebench source tree (no harness/api, workloads)"
	exit 2
}
MAX_LINES=600
VIOLATIONS=0

violation() { local at=$1; shift; echo "$at: $*"; VIOLATIONS=$((VIOLATIONS + 1)); }

# Source files, relative paths, sorted; build products (.deps, objects) and runs left out.
sources() {
	find "$@" \( -name .git -o -name .deps -o -name autom4te.cache -o -name build-aux \) -prune \
		-o -type f \( -name '*.c' -o -name '*.h' \) -print 2>/dev/null | sed 's|^\./||' | sort
}

# code_only FILE: the file with C comments blanked (strings and line numbers kept), so a
# comment that explains by example ("as forkcow's chart") is not a dependency.
code_only() {
	awk '
	{
		out = ""; n = length($0); i = 1
		while (i <= n) {
			c = substr($0, i, 1); d = substr($0, i, 2)
			if (inblock) {
				if (d == "*/") { inblock = 0; i += 2 } else i++
				continue
			}
			if (instr) {
				out = out c
				if (c == "\\") { out = out substr($0, i + 1, 1); i += 2; continue }
				if (c == q) instr = 0
				i++; continue
			}
			if (d == "/*") { inblock = 1; out = out " "; i += 2; continue }
			if (d == "//") break
			if (c == "\"" || c == "\047") { instr = 1; q = c }
			out = out c; i++
		}
		instr = 0
		print out
	}' "$1"
}

# --- 0. Layers. harness/LAYERS lists the folders of harness/, lowest first; a file may
# include headers of its own folder and of folders listed before it. The graph comes from the
# quoted #include lines, each resolved to the folder that holds the header (a header not
# under harness/, e.g. config.h, is no edge).
declare -A RANK=() HDR=() EDGE_N=() EDGE_AT=()
LAYERS=()
if [ -f harness/LAYERS ]; then
	while IFS= read -r l; do
		LAYERS+=("$l")
	done < <(sed 's/#.*//' harness/LAYERS | awk 'NF { print $1 }')
fi
[ "${#LAYERS[@]}" -gt 0 ] ||
	violation "harness/LAYERS:1" "layers-file: missing or empty (the folders of harness/, lowest first)"
for i in "${!LAYERS[@]}"; do
	f=${LAYERS[$i]}
	line=$(grep -n "^$f\\([[:space:]#]\\|\$\\)" harness/LAYERS | head -n 1 | cut -d: -f1)
	[ -n "${RANK[$f]:-}" ] && violation "harness/LAYERS:$line" "layers-file: '$f' listed twice"
	RANK[$f]=$i
	[ -d "harness/$f" ] || violation "harness/LAYERS:$line" "layers-file: no folder harness/$f"
done
for d in harness/*/; do
	d=${d%/}
	d=${d#harness/}
	[ -n "${RANK[$d]:-}" ] ||
		violation "harness/$d:1" "layers-unlisted: harness/$d is not in harness/LAYERS (every folder has its place)"
done
# api/ is what a workload sees: headers, no code (what implements them is core/, child/ and
# machine/'s). Build products of an in-place build are no sources.
while IFS= read -r f; do
	violation "$f:1" "api-not-headers: harness/api/ holds headers only; what implements them belongs to core/, child/ or machine/"
done < <(find harness/api -name .deps -prune -o -type f ! -name '*.h' ! -name '*.o' \
	! -name .dirstamp -print 2>/dev/null | sed 's|^\./||' | sort)
# Every header name once under harness/: with the include paths of several folders, a name
# in two of them would depend on the order of -I.
while IFS= read -r h; do
	b=${h##*/}
	if [ -n "${HDR[$b]:-}" ]; then
		violation "$h:1" "header-twice: $b is also in harness/${HDR[$b]}/"
	else
		d=${h#harness/}
		HDR[$b]=${d%%/*}
	fi
done < <(sources harness | grep '\.h$')
for f in $(sources harness); do
	from=${f#harness/}
	from=${from%%/*}
	[ -n "${RANK[$from]:-}" ] || continue
	while IFS= read -r hit; do
		line=${hit%%:*}
		inc=$(printf '%s\n' "$hit" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
		case "$inc" in
		*/*)
			violation "$f:$line" "include-path: \"$inc\": a harness file names a header by its name only, so its folder's include paths (harness/LAYERS) decide what it sees"
			continue
			;;
		esac
		to=${HDR[$inc]:-}
		[ -n "$to" ] && [ "$to" != "$from" ] || continue
		EDGE_N["$from $to"]=$((${EDGE_N["$from $to"]:-0} + 1))
		[ -n "${EDGE_AT["$from $to"]:-}" ] || EDGE_AT["$from $to"]="$f:$line"
		if [ -n "${RANK[$to]:-}" ] && [ "${RANK[$to]}" -gt "${RANK[$from]}" ]; then
			violation "$f:$line" "layer-upward: $from includes \"$inc\" of $to, which harness/LAYERS puts above $from"
		fi
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done
# The graph, lowest folder first, and its circles: the sets of folders that reach each other
# (every pair of folders, by the transitive closure of the edges; a dozen folders).
UPWARD=0
declare -A REACH=()
for e in "${!EDGE_N[@]}"; do
	REACH[$e]=1
	read -r a b <<<"$e"
	[ "${RANK[$b]}" -gt "${RANK[$a]}" ] && UPWARD=$((UPWARD + 1))
done
for k in "${LAYERS[@]}"; do
	for a in "${LAYERS[@]}"; do
		[ -n "${REACH["$a $k"]:-}" ] || continue
		for b in "${LAYERS[@]}"; do
			[ -n "${REACH["$k $b"]:-}" ] && REACH["$a $b"]=1
		done
	done
done
echo "layers: $(printf '%s < ' "${LAYERS[@]}" | sed 's/ < $//') (harness/LAYERS, lowest first); includes:"
CIRCLES=0
declare -A INCIRCLE=()
for a in "${LAYERS[@]}"; do
	out=""
	for b in "${LAYERS[@]}"; do
		[ -n "${EDGE_N["$a $b"]:-}" ] && out="$out $b(${EDGE_N["$a $b"]})"
	done
	echo "layers:   $a ->${out:- (nothing)}"
	[ -n "${INCIRCLE[$a]:-}" ] && continue
	circle=""
	for b in "${LAYERS[@]}"; do
		[ "$a" = "$b" ] && [ -z "${REACH["$a $a"]:-}" ] && continue
		if [ -n "${REACH["$a $b"]:-}" ] && [ -n "${REACH["$b $a"]:-}" ]; then
			circle="$circle $b"
			INCIRCLE[$b]=1
		fi
	done
	[ -n "$circle" ] || continue
	CIRCLES=$((CIRCLES + 1))
	for x in $circle; do
		for y in $circle; do
			[ "$x" != "$y" ] && [ -n "${EDGE_AT["$x $y"]:-}" ] &&
				violation "${EDGE_AT["$x $y"]}" "layer-circle: $x -> $y is inside the circle of folders$circle (${EDGE_N["$x $y"]} include(s))"
		done
	done
done
echo "layers: $CIRCLES circle(s) between folders, $UPWARD upward edge(s)"

# Makefile.am builds each folder with the include paths of its layer and below only, and
# links the folders' libraries highest first; checked here against harness/LAYERS, so the
# order is written once.
if [ -f Makefile.am ]; then
	# Makefile.am with continuation lines joined: "LINE<TAB>text", LINE where it starts.
	am=$(awk '{ if (!cont) start = NR; l = $0; gsub(/\t/, " ", l); t = t l
		cont = sub(/\\$/, "", t); if (!cont) { print start "\t" t; t = "" } }' Makefile.am)
	amvar() { printf '%s\n' "$am" | awk -F'\t' -v v="$1" '{ split($2, a, /[[:space:]]*=[[:space:]]*/) } a[1] == v { sub(/^[^=]*=[[:space:]]*/, "", $2); gsub(/[[:space:]]+/, " ", $2); print $1 "\t" $2; exit }'; }
	amcheck() { # VAR WANT WHY
		local got line
		got=$(amvar "$1")
		[ "${got#*$'\t'}" = "$2" ] && [ -n "$got" ] && return 0
		line=${got%%$'\t'*}
		violation "Makefile.am:${line:-1}" "layers-makefile: $1 is '${got#*$'\t'}', wanted '$2' ($3)"
	}
	prev=""
	libs=""
	for f in "${LAYERS[@]}"; do
		amcheck "HB_I_$f" "${prev:+\$(HB_I_$prev) }-I\$(top_srcdir)/harness/$f" \
			"its own folder and the ones below it in harness/LAYERS"
		prev=$f
		ls harness/"$f"/*.c >/dev/null 2>&1 || continue
		amcheck "libhb_${f}_a_CPPFLAGS" "\$(HB_BASE_CPPFLAGS) \$(HB_I_$f)" "the folder's layer"
		libs="libhb_$f.a $libs"
		srcs=" $(amvar "libhb_${f}_a_SOURCES" | cut -f2) "
		# The programs (main.c, tests/) are built with AM_CPPFLAGS, the top folder's paths.
		[ "$f" = "${LAYERS[${#LAYERS[@]} - 1]}" ] && srcs="$srcs $(printf '%s\n' "$am" |
			awk -F'\t' '$2 ~ /^[A-Za-z0-9_]+_SOURCES[[:space:]]*\+?=/ { sub(/^[^=]*=/, "", $2); print $2 }' |
			tr -s ' \t' '  ') "
		for c in harness/"$f"/*.c; do
			case "$srcs" in *" $c "*) ;; *)
				violation "$c:1" "layers-makefile: not in libhb_${f}_a_SOURCES, the library built with its folder's include paths" ;;
			esac
		done
	done
	amcheck AM_CPPFLAGS "\$(HB_BASE_CPPFLAGS) \$(HB_I_${LAYERS[${#LAYERS[@]} - 1]})" \
		"the programs and tests sit above every folder"
	amcheck libhb_workloads_a_CPPFLAGS "\$(HB_BASE_CPPFLAGS) \$(HB_I_api)" \
		"a workload sees the workload API, and its own headers beside it"
	amcheck tests_demo_libhb_demo_a_CPPFLAGS "\$(HB_BASE_CPPFLAGS) \$(HB_I_api)" \
		"the test-only workload is built as the workloads are"
	# highest first, the workloads between run (which runs them) and child (their API)
	want=$(printf '%s\n' $libs | sed 's/^libhb_child\.a$/libhb_workloads.a libhb_child.a/' |
		tr '\n' ' ' | sed 's/ $//')
	amcheck HB_LAYER_LIBS "$want" "linked highest first, so a call that runs upwards does not link"
fi

# --- 1. A workload includes only the workload API (harness/api/) and its own folder's headers.
for f in $(sources workloads); do
	while IFS= read -r hit; do
		line=${hit%%:*}
		inc=$(printf '%s\n' "$hit" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
		base=${inc##*/}
		case "$inc" in
		*/*) # a path: only into harness/api/
			printf '%s\n' "$inc" | grep -Eq '^(\.\./)*harness/api/[^/]+$' &&
				[ -f "harness/api/$base" ] && continue
			;;
		*)
			[ -f "harness/api/$inc" ] && continue
			[ -f "${f%/*}/$inc" ] && continue
			;;
		esac
		where=$(find harness -name "$base" 2>/dev/null | head -n 1)
		violation "$f:$line" "workload-include: \"$inc\" is not the workload API" \
			"(${where:-not under harness/api/ or workloads/}); a workload sees harness/api/ only"
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done

# --- 2. No sysfs or procfs path under workloads/ (the pages, workloads/*.md, are exempt).
# Comments count too: a workload that needs to name such a path should declare a knob or
# ask the API instead.
while IFS= read -r f; do
	while IFS= read -r hit; do
		line=${hit%%:*}
		path=$(printf '%s\n' "${hit#*:}" | grep -o '/\(sys\|proc\)/[^ "\\,;)]*' | head -n 1)
		violation "$f:$line" "workload-sysfs: names '$path'; machine state belongs to harness/machine (a knob row or an API call)"
	done < <(grep -nI '/sys/\|/proc/' "$f")
done < <(find workloads \( -name .deps \) -prune -o -type f ! -name '*.md' ! -name '*.o' \
	! -name '*.a' ! -name .dirstamp -print | sort)

# --- 3. The generic code (harness/report/, results/, compare/) names no workload. A name
# counts as a word between non-alphanumerics ('_' separates, so plot_sparse and
# "forkcow_fork" count, "touched" does not); code and strings count, comments do not; a
# file named after a workload counts. A name after a '.' is a key of the machine record
# ("thp.defrag": the kernel's knob, not the workload defrag) and does not count.
names=$( {
	sed -n 's/.*&hb_workload_\([A-Za-z0-9_]*\).*/\1/p' workloads/registry.c 2>/dev/null
	find workloads -name '*.c' -exec cat {} + 2>/dev/null | sed -n 's/^[[:space:]]*\.name[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p'
} | sort -u)
if [ -z "$names" ]; then
	violation "workloads/registry.c:1" "workload-names: no workload name found (registry or .name = \"...\")"
fi
# no_workload_names RULE WHERE FILES...: every workload name in the files' code and strings,
# and every file named after a workload, as a violation of RULE ("... in WHERE").
no_workload_names() {
	local rule=$1 where=$2 f w line text
	shift 2
	for f in "$@"; do
		for w in $names; do
			if printf '%s\n' "${f##*/}" | grep -Eq "(^|[^A-Za-z0-9])$w([^A-Za-z0-9]|$)"; then
				violation "$f:1" "$rule: the file is named after workload '$w'"
			fi
		done
		# every name's hits in this file, in line order
		while IFS=$'\t' read -r line w text; do
			violation "$f:$line" "$rule: '$w' in $where: $(printf '%s' "$text" | sed 's/^[[:space:]]*//' | cut -c1-80)"
		done < <(for w in $names; do
			code_only "$f" | grep -nE "(^|[^A-Za-z0-9.])$w([^A-Za-z0-9]|$)" |
				sed "s/^\([0-9]*\):/\1\t$w\t/"
		done | sort -n -k1,1)
	done
}
no_workload_names generic-names-workload "generic code" \
	$(sources harness/report harness/results harness/compare)

# --- 4. No source file outside tests/ over MAX_LINES lines.
while IFS= read -r f; do
	n=$(wc -l <"$f")
	[ "$n" -gt "$MAX_LINES" ] && violation "$f:$n" "file-too-long: $n lines (at most $MAX_LINES)"
done < <(find . \( -name .git -o -name .deps -o -name tests -o -name results -o -name autom4te.cache \
	-o -name build-aux \) -prune -o -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' \
	-o -name '*.py' -o -name '*.gp' -o -name '*.am' -o -name '*.ac' \) ! -name config.h -print |
	sed 's|^\./||' | sort)

# --- 5. Code that was copied exists once (outside tests/, which may keep reference copies).
# once RULE WHAT EGREP [-i]: the pattern may match in at most one file.
once() {
	local rule=$1 what=$2 re=$3 flags=${4:-} hits files
	hits=$(sources harness workloads | xargs grep -nE $flags -- "$re" /dev/null 2>/dev/null |
		grep -v '^/dev/null')
	[ -n "$hits" ] || return 0
	files=$(printf '%s\n' "$hits" | cut -d: -f1 | sort -u)
	[ "$(printf '%s\n' "$files" | wc -l)" -le 1 ] && return 0
	while IFS= read -r hit; do
		violation "$(printf '%s' "$hit" | cut -d: -f1-2)" \
			"duplicate-$rule: $what in $(printf '%s\n' "$files" | wc -l) files ($(echo $files | sed 's/ /, /g')); keep one"
	done <<<"$hits"
}
# A definition: starts in column 0 (the return type), names the function, is no prototype.
def_re() { echo "^[A-Za-z_].*(^|[^A-Za-z0-9_])([A-Za-z0-9_]*_)?$1[[:space:]]*\\([^;]*\$"; }
once mkdir_p "a mkdir_p definition" "$(def_re 'mkdir_?p')"
# splitmix64's state step, `+= 0x9e3779b97f4a7c15` (the golden-ratio constant alone also seeds
# hashes and per-repetition seeds, which are no copies of it).
once splitmix64 "splitmix64 (its state step += 0x9e3779b97f4a7c15)" '\+=[[:space:]]*0x9e3779b97f4a7c15' -i
once cmp_double "a cmp_double definition" "$(def_re 'cmp_doubles?')"
once percentiles "a percentile list (\"p999\")" '"p999"'
once memavail90 "the 90%-of-MemAvailable rule" '/[[:space:]]*10[[:space:]]*\*[[:space:]]*9([^0-9]|$)|\*[[:space:]]*9[[:space:]]*/[[:space:]]*10([^0-9]|$)|90%.*MemAvailable|MemAvailable.*90%'

# --- 6. The commands and the run engine (harness/cli/, harness/run/) name no workload either:
# what a workload needs of them it declares (workload.h, twins.h), so that a new workload
# changes no line here. The same reading as rule 3: code and strings count, comments do not.
no_workload_names engine-names-workload "the commands or the run engine" \
	$(sources harness/cli harness/run)

if [ "$VIOLATIONS" -gt 0 ]; then
	echo "structure: $VIOLATIONS violation(s)"
	exit 1
fi
echo "structure: ok"
exit 0
