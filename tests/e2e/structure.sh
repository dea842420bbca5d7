#!/bin/bash
# The structure rules (README "Layout" and "Writing a workload"), checked on the source tree:
# a workload sees only the workload API, names no sysfs/procfs path; the generic report and
# results code names no workload; no source file outside tests/ is over 600 lines; code that
# used to be copied exists once. Prints every violation as FILE:LINE: RULE: what, and fails
# if there is any. Needs only bash, grep, awk and find: no build, no git.
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
