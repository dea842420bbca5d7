#!/bin/bash
# A sketch, not tested (only the Ansible path, deploy/ansible/, is): the same bench on several
# Slurm nodes as a job array, results gathered in the submit directory for `hugebench compare`.
#
#   make dist
#   sbatch --array=0-3 --exclusive --partition=candidates \
#       deploy/slurm/hugebench-array.sh hugebench-VERSION.tar.gz quick
#   hugebench compare --relative-to 4k --out results/compare results/hosts/*
#
# --exclusive keeps any other job (and a second hugebench, which its knob lock would refuse) off
# the node while it measures. Each task builds the tarball on its node (node-local /tmp: the
# node's own compiler and libraries) and writes results/hosts/<node>/ in the submit directory,
# which must be on a file system the nodes share. The bench needs root on the nodes for the THP
# and hugetlb cells; without it those cells are skipped with the reason, the rest still runs.
#SBATCH --job-name=hugebench
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --time=01:00:00
#SBATCH --output=hugebench-%A_%a.out
set -eu
tarball=$(realpath "${1:?usage: sbatch --array=... $0 TARBALL [PROFILE]}")
profile=${2:-quick}
case "$profile" in */* | *.ini) profile=$(realpath "$profile") ;; esac
node=${SLURMD_NODENAME:-$(hostname -s)}
dest=${SLURM_SUBMIT_DIR:-$PWD}/results/hosts/$node

work=$(mktemp -d "/tmp/hugebench-$node.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" --strip-components=1
cd "$work"
./bootstrap.sh
rc=0
./hugebench bench --profile "$profile" --out "$work/out" --quiet || rc=$?
# 3 (every cell skipped) and 4 (a cell failed) still wrote a whole results directory.
case $rc in 0 | 3 | 4) ;; *) echo "hugebench bench on $node: exit $rc" >&2; exit "$rc" ;; esac
rm -rf "$dest" && mkdir -p "$dest"
cp -r "$work/out/results.csv" "$work/out/meta.json" "$dest/"
[ -d "$work/out/series" ] && cp -r "$work/out/series" "$dest/"
echo "$dest"
