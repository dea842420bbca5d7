#!/bin/sh
# Captures tests/fixtures/procmem/ (the unit test's fixtures of test_procmem.c) from memshape
# shapes on this machine: root, under the shared machine lock, with the settings the shapes need
# set for the capture and put back after it (also on failure).
#   flock /tmp/hb-machine.lock sh tests/inspect/capture-fixtures.sh MEMSHAPE OUTDIR
set -eu
memshape=$1 out=$2
thp=/sys/kernel/mm/transparent_hugepage
old64=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/hugepages-64kB/enabled)
old32=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/hugepages-32kB/enabled)
oldhp=$(cat /proc/sys/vm/nr_hugepages)
file=$(mktemp /var/tmp/memshape.XXXXXX)
restore() {
	echo "$old64" > $thp/hugepages-64kB/enabled
	echo "$old32" > $thp/hugepages-32kB/enabled
	echo "$oldhp" > /proc/sys/vm/nr_hugepages
	rm -f "$file"
}
trap restore EXIT
echo madvise > $thp/hugepages-64kB/enabled
echo madvise > $thp/hugepages-32kB/enabled
echo $((oldhp + 1)) > /proc/sys/vm/nr_hugepages
head -c 4194304 /dev/urandom > "$file"
mkdir -p "$out"
# memshape waits for its stdin to close: a read that ends at once, after "ready"
"$memshape" shapes "$file" "$out" < /dev/null
