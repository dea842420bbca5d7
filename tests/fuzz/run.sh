#!/bin/bash
# make fuzz: run.sh BUILD_DIR SECONDS FUZZ_SRC NAME... runs afl-fuzz -V SECONDS on each
# harness of BUILD_DIR/obj/tests/fuzz, one after the other, at nice 19, over FUZZ_SRC/corpus/
# NAME, output in BUILD_DIR/out/NAME; then one summary line per harness. Exit 1 when any
# harness found a crash or a hang (the inputs are in out/NAME/default/{crashes,hangs}/).
set -u
dir=$1 secs=$2 src=$3
shift 3
AFL_FUZZ=${AFL_FUZZ:-afl-fuzz}
# A VM: no CPU frequency governor to check, no free core to bind to, no UI on a pipe.
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_QUIET=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CRASHES=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
found=0
summary=()
for name in "$@"; do
	out=$dir/out/$name
	rm -rf "$out"
	mkdir -p "$dir/out"
	echo "fuzz: $name for ${secs}s" >&2
	nice -n 19 "$AFL_FUZZ" -V "$secs" -t 1000 -i "$src/corpus/$name" -o "$out" -- \
		"$dir/obj/tests/fuzz/fuzz_$name" >"$dir/out/$name.log" 2>&1
	rc=$?
	stats=$out/default/fuzzer_stats
	if [ ! -f "$stats" ]; then
		summary+=("$name: afl-fuzz did not run (exit $rc): see $dir/out/$name.log")
		found=1
		continue
	fi
	val() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
	crashes=$(val saved_crashes)
	hangs=$(val saved_hangs)
	[ -n "$crashes" ] || crashes=$(val unique_crashes)
	[ -n "$hangs" ] || hangs=$(val unique_hangs)
	summary+=("$name: $(val run_time)s, $(val execs_done) execs ($(val execs_per_sec)/s), $(val corpus_count) paths, crashes $crashes, hangs $hangs")
	[ "${crashes:-0}" = 0 ] && [ "${hangs:-0}" = 0 ] || found=1
done
echo "fuzz summary (output in $dir/out):"
for l in "${summary[@]}"; do echo "  $l"; done
exit $found
