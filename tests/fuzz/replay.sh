#!/bin/bash
# The fuzz harnesses, built by the normal compiler, over the committed corpus and every
# regression input (tests/fuzz/regress/<name>/: inputs that once crashed or hung a parser).
# Run by make check and, in the ASan+UBSan tree, by make check-asan. No machine knob is
# touched, so no lock is taken.
set -u
HB=${HB_BIN:-./hugebench}
BIN=$(dirname "$HB")/tests/fuzz
SRC=$(dirname "${HB_FIXTURES:-tests/fixtures}")/fuzz
FAILS=0
for h in "$BIN"/fuzz_*; do
	[ -x "$h" ] && [ "${h%.*}" = "$h" ] || continue
	name=${h##*/fuzz_}
	inputs=()
	for f in "$SRC/corpus/$name"/* "$SRC/regress/$name"/*; do
		[ -f "$f" ] && inputs+=("$f")
	done
	if [ ${#inputs[@]} = 0 ]; then
		echo "FAIL: $name: no corpus in $SRC/corpus/$name"
		FAILS=$((FAILS + 1))
		continue
	fi
	if out=$("$h" "${inputs[@]}" 2>&1); then
		echo "ok: fuzz_$name replays ${#inputs[@]} inputs"
	else
		echo "FAIL: fuzz_$name on one of ${#inputs[@]} inputs:"
		echo "$out" | tail -n 20 | sed 's/^/    /'
		FAILS=$((FAILS + 1))
	fi
done
[ "$FAILS" = 0 ] || { echo "$FAILS harness(es) failed"; exit 1; }
