#!/bin/sh
# The parts of hugebench(1) that come from the built binary, as a help2man include file on
# stdout: the synopsis (every command's usage line), every command's options, and one
# subsection per workload with its parameter table (`hugebench WORKLOAD --help`), so the man
# page cannot drift from --help. Nothing machine-specific goes in (no "available here").
#
# usage: man/h2m-include.sh ./hugebench > hugebench-gen.h2m
set -eu
HB=${1:?usage: $0 HUGEBENCH_BINARY}
export LC_ALL=C

# roff: backslashes, minus signs, and a leading . or ' must not be taken as requests
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# usage_of ARGS...: the usage line of `hugebench ARGS --help`, continuation lines joined
usage_of() {
	"$HB" "$@" --help | awk '
		/^usage: / { sub(/^usage: hugebench */, ""); u = $0; on = 1; next }
		on && /^  +\[/ { sub(/^ +/, " "); u = u $0; next }
		{ on = 0 }
		END { print u }'
}

# rows_of: `hugebench __metrics list` rows ("  NAME UNIT KIND[, ...]", the meaning indented
# 19) on stdin as .TP entries
rows_of() {
	awk '
		function esc(s) {
			gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); sub(/^[.\047]/, "\\&&", s)
			return s
		}
		/^  [^ ]/ {
			rest = $0; sub(/^ *[^ ]+ +[^ ]+ */, "", rest)
			print ".TP"
			print "\\fB" esc($1) "\\fR (" esc($2) ", " esc(rest) ")"
			next
		}
		/^   +[^ ]/ { line = $0; sub(/^ +/, "", line); print esc(line) }'
}

workloads=$("$HB" list | awk '/^workloads:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $1 }')
[ -n "$workloads" ] || { echo "$0: '$HB list' names no workload" >&2; exit 1; }

echo '[SYNOPSIS]'
for u in "$(usage_of)" "$(usage_of run)" "$(usage_of bench)" "$(usage_of plot)" \
	"$(usage_of compare)" "$(usage_of advise)" "$(usage_of baseline)" "$(usage_of noise)" "$(usage_of ab)" \
	"$(usage_of calibrate)" "$(usage_of restore)" "$(usage_of inspect)" \
	"$(usage_of list)" "$(usage_of sysinfo)" 'WORKLOAD --help'; do
	printf '%s\n' "$u" | esc | sed 's/^/\\fBhugebench\\fR /'
	echo '.br'
done

# every command's options, from its table by way of its --help
for cmd in run bench compare advise plot baseline noise ab calibrate restore inspect list sysinfo; do
	echo "[$(echo "$cmd" | tr a-z A-Z) OPTIONS]"
	echo ".nf"
	# without the usage line and its continuation lines (in the synopsis already)
	"$HB" $cmd --help | awk '/^usage: / { u = 1; next } u && /^ +\[/ { next } { u = 0; print }' |
		esc
	echo ".fi"
done

echo '[WORKLOADS]'
cat <<'TEXT'
Every workload takes its parameters as \fB\-p\fR \fINAME\fR=\fIVALUE\fR
(\fBhugebench run\fR, or the keys of a bench profile section); sizes take binary
suffixes (4K, 256M, 1G), durations ns, us, ms, s, m.
\fBhugebench\fR \fIWORKLOAD\fR \fB\-\-help\fR prints the same table.
TEXT
for w in $workloads; do
	"$HB" "$w" --help >/dev/null || { echo "$0: '$HB $w --help' failed" >&2; exit 1; }
	echo ".SS $w"
	"$HB" "$w" --help | awk -v w="$w" '
		function esc(s) {
			gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); sub(/^[.\047]/, "\\&&", s)
			return s
		}
		function text(s) { sub(/^ +/, "", s); print esc(s) }
		# hb_params_help rows: "  NAME TYPE default D, range R", its help from column
		# 20, a choice value and its meaning from column 22.
		NR == 1 { sub("^" w ": ", ""); text($0); next }
		/^parameters / { on = 1; next }
		on && /^$/ { exit }
		!on { next }
		/^  [^ ]/ {
			if (inchoice) { print ".RE"; inchoice = 0 }
			rest = $0; sub(/^ *[^ ]+ +[^ ]+ */, "", rest)
			sub(/^default ,/, "default none,", rest); sub(/^default $/, "default none", rest)
			print ".TP"
			print "\\fB" esc($1) "\\fR=\\fI" esc($2) "\\fR (" esc(rest) ")"
			next
		}
		/^                     [^ ]/ {
			if (!inchoice) { print ".RS"; inchoice = 1 }
			line = $0; sub(/^ +/, "", line); val = line; sub(/ .*/, "", val)
			sub(/^[^ ]+ +/, "", line)
			print ".TP"
			print "\\fB" esc(val) "\\fR"
			text(line)
			next
		}
		{ text($0) }
		END { if (inchoice) print ".RE" }'
	echo '.PP'
	echo "Rows of results.csv (the harness's own besides: RESULT ROWS):"
	"$HB" __metrics list "$w" | rows_of
done

echo '[RESULT ROWS]'
cat <<'TEXT'
Each cell writes rows of results.csv: its workload's (under WORKLOADS, and in
\fBhugebench\fR \fIWORKLOAD\fR \fB\-\-help\fR) and the harness's own below, every one
declared in the code. A \fI<word>\fR in a name stands for any text; the unit is the one
the numeric rows carry (\- none); an \fBunavailable\fR row says why in its note.
TEXT
"$HB" __metrics list harness | rows_of

# the pages, one per workload, beside its code
echo '[SEE ALSO]'
echo 'README.md and docs/ in the source tree, and the page of each workload beside its code:'
echo "$workloads" | sed 's|.*|workloads/&/&.md|' | paste -sd, - | sed 's/,/, /g; s/$/./'
