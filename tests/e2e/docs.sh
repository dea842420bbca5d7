#!/bin/bash
# The docs a reader follows, checked: in README.md, docs/*.md and workloads/**/*.md
# - every relative link resolves: its file exists and its #anchor is a heading of that file
#   (GitHub's slugs);
# - every `hugebench ...` command line quoted in a code block or in inline code parses: run
#   from the source tree with --dry-run inserted right after the command word (after the
#   workload for `run`), it exits 0, or N where the line ends in the comment `# exit N`.
# A block fenced as ```synopsis, a line ending in `# synopsis` and inline code with a
# placeholder (DIR, N, NAME=VALUE, <...>, [...]) are synopses and are skipped. How to quote a
# command: docs/testing.md. Then a self-test: a planted tree with a broken link, a missing
# anchor and two bad command lines must give exactly those four failures.
#
# usage: tests/e2e/docs.sh [SOURCE_DIR]   (default: the tree this script is in)
# HB_DOCS_VERBOSE=1 also lists every command run and every synopsis skipped.
# HB_DOCS_FLAG replaces --dry-run (e.g. --help, to try the links before --dry-run exists).
# The dry runs change nothing on the machine, so this test takes no machine lock.
HB_LOCK_HELD=1
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
ROOT=${1:-${HB_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}}
ROOT=$(cd "$ROOT" && pwd) || { echo "docs: cannot enter '$1'"; exit 2; }
case "$HB" in /*) ;; *) HB="$(pwd)/$HB" ;; esac
FLAG=${HB_DOCS_FLAG:---dry-run}
VERBOSE=${HB_DOCS_VERBOSE:-}
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

# The markdown reader. mode=anchors: the GitHub slug of every heading, one a line.
# mode=scan: one record per link (L, file line target), command (C, file line status
# command) and synopsis (S, file line text), tab-separated; code is never read as a link.
MD_AWK='
function slug(h,   s, t, out, i, c) {
	s = h
	while (match(s, /\[[^]]*\]\([^)]*\)/)) {   # a link: its text
		t = substr(s, RSTART + 1, RLENGTH - 1); sub(/\]\(.*$/, "", t)
		s = substr(s, 1, RSTART - 1) t substr(s, RSTART + RLENGTH)
	}
	s = tolower(s); out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c ~ /[a-z0-9_-]/) out = out c
		else if (c == " ") out = out "-"
		else if (c > "\177") out = out c
	}
	return out
}
function heading(line,   h, s) {
	h = line; sub(/^#+[ \t]*/, "", h); sub(/[ \t]+#+[ \t]*$/, "", h); sub(/[ \t]+$/, "", h)
	s = slug(h)
	if (s in seen) { seen[s]++; s = s "-" seen[s] } else seen[s] = 0
	if (mode == "anchors") print s
}
function lineat(p,   k) { for (k = np; k > 1; k--) if (off[k] < p) return pl[k]; return pl[1] }
function placeholder(cmd,   n, i, w) {
	if (cmd ~ /[<[]|\.\.\./) return 1
	n = split(cmd, w, /[ \t]+/)
	for (i = 1; i <= n; i++) if (w[i] ~ /^[A-Z][A-Z0-9_|=,.-]*$/) return 1
	return 0
}
# A quoted command: C or S record, or nothing when it is not a hugebench command.
function command(s, line, inline,   st) {
	if (mode != "scan") return
	sub(/^[ \t]+/, "", s); sub(/^sudo[ \t]+/, "", s)
	if (s !~ /^(\.\/)?hugebench([ \t]|$)/) return
	if (s ~ /^(\.\/)?hugebench[ \t]*$/) return   # the name of the program, not a command line
	if (inline) {
		if (placeholder(s)) { print "S\t" cur "\t" line "\t" s; return }
	} else if (s ~ /#[ \t]*synopsis[ \t]*$/) { print "S\t" cur "\t" line "\t" s; return }
	st = 0
	if (match(s, /#[ \t]*exit[ \t]+[0-9]+[ \t]*$/)) {
		st = substr(s, RSTART); gsub(/[^0-9]/, "", st)
	}
	sub(/[ \t]+#.*$/, "", s); sub(/[ \t]+$/, "", s)
	print "C\t" cur "\t" line "\t" st "\t" s
}
function links(text,   t, r) {
	while (match(text, /\]\([^)]*\)/)) {
		t = substr(text, RSTART + 2, RLENGTH - 3); r = RSTART
		text = substr(text, RSTART + RLENGTH)
		sub(/^[ \t]+/, "", t); sub(/[ \t]+".*$/, "", t); sub(/^</, "", t); sub(/>$/, "", t)
		print "L\t" cur "\t" lineat(done + r) "\t" t
		done += r + RLENGTH - 1
	}
}
# A paragraph (lines joined by spaces): its inline code spans (each turned into as many
# spaces, so positions and line numbers stay right), then its links outside them.
function flush(   text, rest, o, q, pre, after, scan, j, m, c, sp) {
	if (np == 0) return
	text = ""; rest = para
	while (match(rest, /`+/)) {
		o = RSTART; q = RLENGTH
		pre = substr(rest, 1, o - 1); after = substr(rest, o + q)
		scan = after; j = 0; m = 0
		while (match(scan, /`+/)) {   # the closing run: exactly as many backticks
			if (RLENGTH == q) { j = m + RSTART; break }
			m += RSTART + RLENGTH - 1; scan = substr(scan, RSTART + RLENGTH)
		}
		if (j == 0) { text = text pre substr(rest, o, q); rest = after; continue }
		c = substr(after, 1, j - 1); gsub(/[ \t]+/, " ", c); sub(/^ /, "", c); sub(/ $/, "", c)
		if (mode == "scan") command(c, lineat(length(text) + o), 1)
		sp = substr(rest, o, q + j - 1 + q); gsub(/./, " ", sp)
		text = text pre sp
		rest = substr(after, j + q)
	}
	text = text rest
	done = 0
	if (mode == "scan") links(text)
	para = ""; np = 0
}
function block(   i, s, tr, ln, n, v) {
	tr = 0
	for (i = 1; i <= nb; i++) if (b[i] ~ /^[ \t]*\$ /) tr = 1
	for (i = 1; i <= nb; i++) {
		s = b[i]; ln = bl[i]
		while (s ~ /\\$/ && i < nb) { sub(/\\$/, " ", s); i++; s = s b[i] }
		if (tr) { if (s !~ /^[ \t]*\$ /) continue; sub(/^[ \t]*\$ /, "", s) }
		if (s ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*=/) {   # NAME=VALUE: used as $NAME below
			sub(/^[ \t]*/, "", s); n = index(s, "=")
			v = substr(s, n + 1); sub(/^"/, "", v); sub(/"[ \t]*$/, "", v); gsub(/[ \t]+/, " ", v)
			var[substr(s, 1, n - 1)] = v
			continue
		}
		for (n in var) { gsub("[$][{]" n "[}]", var[n], s); gsub("[$]" n "([^A-Za-z0-9_]|$)", var[n] " ", s) }
		command(s, ln, 0)
	}
	nb = 0; split("", var)
}
FNR == 1 { flush(); cur = FILENAME; infence = 0; np = 0; para = ""; nb = 0; split("", seen) }
{
	line = $0
	if (infence) {
		if (line ~ ("^[ \t]*" fence "[ \t]*$")) { infence = 0; if (info != "synopsis") block(); next }
		if (info == "synopsis") { if (mode == "scan") { s = line; sub(/^[ \t]+/, "", s); if (s ~ /^(sudo[ \t]+)?(\.\/)?hugebench([ \t]|$)/) print "S\t" cur "\t" FNR "\t" s } }
		else { b[++nb] = line; bl[nb] = FNR }
		next
	}
	if (line ~ /^[ \t]*(```|~~~)/) {
		flush()
		fence = line; sub(/^[ \t]*/, "", fence); info = fence
		fence = substr(fence, 1, 3); sub(/^(```|~~~)[`~]*[ \t]*/, "", info); sub(/[ \t].*$/, "", info)
		infence = 1; nb = 0
		next
	}
	if (line ~ /^#+[ \t]/) { flush(); heading(line); if (mode == "scan") { para = line; np = 1; off[1] = 0; pl[1] = FNR; flush() }; next }
	if (line ~ /^[ \t]*$/) { flush(); next }
	if (mode == "scan" && line ~ /^[ \t]*\[[^]]+\]:[ \t]+[^ \t]/) {   # a reference definition
		t = line; sub(/^[ \t]*\[[^]]+\]:[ \t]+/, "", t); sub(/[ \t].*$/, "", t); sub(/^</, "", t); sub(/>$/, "", t)
		print "L\t" cur "\t" FNR "\t" t
		next
	}
	np++; off[np] = length(para) + (np > 1 ? 1 : 0); pl[np] = FNR
	para = (np > 1 ? para " " : "") line
}
END { flush() }
'

# anchors FILE: the slugs of FILE's headings (cached).
anchors() {
	local cache="$TMP/anchors/$(printf '%s' "$1" | tr '/' '%')"
	[ -f "$cache" ] || { mkdir -p "$TMP/anchors"; awk -v mode=anchors "$MD_AWK" "$1" >"$cache"; }
	cat "$cache"
}

# check_link FILE LINE TARGET
check_link() {
	local file=$1 line=$2 target=$3 path anchor dest
	case "$target" in
	[a-zA-Z]*:*) case "${target%%:*}" in *[!a-zA-Z0-9+.-]*) ;; *) return 0 ;; esac ;;
	//*) return 0 ;;
	esac
	path=${target%%#*}
	anchor=""
	case "$target" in *'#'*) anchor=${target#*#} ;; esac
	if [ -z "$path" ]; then dest=$file
	elif [ "${path#/}" != "$path" ]; then dest=${path#/}
	else dest=$(dirname "$file")/$path; dest=${dest#./}
	fi
	if [ ! -e "$dest" ]; then
		fail "$file:$line: link to '$target': no such file ($dest)"
		return 1
	fi
	[ -z "$anchor" ] && return 0
	case "$dest" in
	*.md)
		anchors "$dest" | grep -qxF -- "$anchor" && return 0
		fail "$file:$line: link to '$target': no heading '#$anchor' in $dest"
		return 1
		;;
	*)
		printf '%s\n' "$anchor" | grep -Eq '^L[0-9]+(-L[0-9]+)?$' && return 0
		fail "$file:$line: link to '$target': an anchor into a file that is not markdown"
		return 1
		;;
	esac
}

# check_command FILE LINE STATUS COMMAND
check_command() {
	local file=$1 line=$2 want=$3 cmd=$4 args=() run=() got a i=0 at=1
	case "$cmd" in
	*['$`;|&<>()\']*)
		fail "$file:$line: '$cmd' is not a plain command line (mark a synopsis: docs/testing.md)"
		return 1
		;;
	esac
	set -f
	eval "args=($cmd)" 2>/dev/null || { set +f; fail "$file:$line: cannot split '$cmd'"; return 1; }
	set +f
	[ "${#args[@]}" -ge 2 ] || { fail "$file:$line: '$cmd': no command word"; return 1; }
	[ "${args[1]}" = run ] && [ "${#args[@]}" -ge 3 ] && at=2
	for a in "${args[@]:1}"; do [ "$a" = --help ] || [ "$a" = --version ] && at=0; done
	for a in "${args[@]:1}"; do
		run+=("$a")
		i=$((i + 1))
		[ "$i" = "$at" ] && run+=("$FLAG")
	done
	(cd "$ROOT" && HUGEBENCH_STATE_DIR="$TMP/state" timeout 60 "$HB" "${run[@]}" \
		</dev/null >"$TMP/cmd.out" 2>&1)
	got=$?
	if [ "$got" = "$want" ]; then
		[ -n "$VERBOSE" ] && pass "$file:$line: hugebench ${run[*]} (exit $got)"
		COMMANDS_OK=$((COMMANDS_OK + 1))
		return 0
	fi
	# Parsed and valid, but a cell of it does not fit this machine's memory (the fit check
	# after the arguments: exit 2 with its reason). The docs may show a bigger machine's run.
	if [ "$got" = 2 ] && [ "$want" = 0 ] && grep -q 'MemAvailable' "$TMP/cmd.out"; then
		echo "note: $file:$line: hugebench ${run[*]}: parses; does not fit this machine:" \
			"$(grep -m1 'MemAvailable' "$TMP/cmd.out" | cut -c1-160)"
		COMMANDS_OK=$((COMMANDS_OK + 1))
		return 0
	fi
	fail "$file:$line: hugebench ${run[*]}: exit $got, wanted $want"
	sed 's/^/    /' "$TMP/cmd.out" | head -5
	return 1
}

cd "$ROOT" || exit 2
mkdir -p "$TMP/state"
FILES=$( { ls README.md docs/*.md 2>/dev/null; find workloads -name '*.md' 2>/dev/null; } | sort -u)
[ -n "$FILES" ] || { fail "no README.md, docs/*.md or workloads/**/*.md in $ROOT"; done_tests; }
# shellcheck disable=SC2086
awk -v mode=scan "$MD_AWK" $FILES >"$TMP/records" || fail "the markdown reader failed"

LINKS_OK=0 LINKS_BAD=0 COMMANDS_OK=0 COMMANDS_BAD=0 SKIPPED=0
while IFS=$'\t' read -r kind file line f4 f5; do
	case "$kind" in
	L) if check_link "$file" "$line" "$f4"; then LINKS_OK=$((LINKS_OK + 1)); else LINKS_BAD=$((LINKS_BAD + 1)); fi ;;
	C) check_command "$file" "$line" "$f4" "$f5" || COMMANDS_BAD=$((COMMANDS_BAD + 1)) ;;
	S) SKIPPED=$((SKIPPED + 1)); [ -n "$VERBOSE" ] && echo "skipped (synopsis): $file:$line: $f4" ;;
	esac
done <"$TMP/records"
nfiles=$(printf '%s\n' "$FILES" | wc -l)
[ "$LINKS_BAD" = 0 ] && pass "$LINKS_OK relative links in $nfiles files resolve"
[ "$COMMANDS_BAD" = 0 ] && pass "$COMMANDS_OK hugebench command lines parse ($FLAG; $SKIPPED synopses skipped)"
[ "$COMMANDS_OK" -gt 0 ] || fail "no hugebench command line found in $nfiles files"

# The self-test: a tree with one of each fault must fail with exactly those four.
if [ -z "${HB_DOCS_PLANTED:-}" ]; then
	t="$TMP/planted"
	mkdir -p "$t/docs"
	printf '# A page\n\n## Real heading\n\nText.\n' >"$t/docs/a.md"
	cat >"$t/README.md" <<-'EOF'
		# Planted

		[fine](docs/a.md), [fine too](docs/a.md#real-heading), [here](#planted),
		[broken](docs/missing.md) and [a bad anchor](docs/a.md#no-such-heading).

		```
		hugebench list
		hugebench run touch -p sizee=1G
		hugebench run touch -p sizee=1G   # exit 2
		```

		```synopsis
		hugebench plot DIR
		```

		Inline: `hugebench plot DIR` is a synopsis, `hugebench list --no-such-option` is wrong.
	EOF
	HB_DOCS_PLANTED=1 HB_BIN="$HB" bash "$SELF" "$t" >"$TMP/planted.out" 2>&1
	got=$?
	want="README.md:4: link to 'docs/missing.md'
README.md:4: link to 'docs/a.md#no-such-heading'
README.md:8: hugebench run touch $FLAG -p sizee=1G
README.md:16: hugebench list $FLAG --no-such-option"
	found=$(sed -n 's/^FAIL: \(README.md:[0-9]*: [^:]*\).*/\1/p' "$TMP/planted.out")
	if [ "$got" != 0 ] && [ "$found" = "$want" ]; then
		pass "self-test: a planted broken link, missing anchor and two bad command lines fail, nothing else"
	else
		fail "self-test: exit $got; the planted tree gave:"
		sed 's/^/    /' "$TMP/planted.out"
	fi
fi
done_tests
