#!/bin/sh
# Installs what is missing (Debian packages), then bootstraps, configures and builds.
# Used by both quick-start commands in README.md and by .ci/run.
# CONFIGURE_FLAGS is passed to ./configure (CI sets --enable-werror).
set -e
cd "$(dirname "$0")"
# The allocators are what the churn workload preloads (found at run time, not linked);
# redis-server is what the redis workload runs (found at run time, hiredis is its client);
# jq is how the tests read inspect's JSON.
PKGS="build-essential autoconf automake pkg-config libhwloc-dev libpfm4-dev libjansson-dev
libinih-dev libcmocka-dev r-mathlib gnuplot-nox help2man man-db procps libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0
redis-server redis-tools libhiredis-dev jq"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bootstrap: missing Debian packages:$missing" >&2
		echo "bootstrap: install them as root: apt-get install$missing" >&2
		exit 1
	fi
	echo "bootstrap: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi
[ -f Makefile ] && [ Makefile -nt configure ] && [ -z "${CONFIGURE_FLAGS:-}" ] || ./configure ${CONFIGURE_FLAGS:-}
make -j"$(nproc)"
