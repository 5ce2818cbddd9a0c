#!/usr/bin/env bash
# Install what vigil needs to build and test, from Debian 12's archive.
#   scripts/deps.sh          install (root)
#   scripts/deps.sh --list   print the package names only
set -euo pipefail
pkgs=(
	# build: C toolchain, BPF toolchain, libraries
	make gcc libc6-dev clang llvm pkg-config bpftool libbpf-dev libelf-dev
	zlib1g-dev libssl-dev libxml2-dev libsqlite3-dev libmicrohttpd-dev
	libcurl4-openssl-dev
	# tests: real parsers and tools the tests drive
	libxml2-utils jq bc sqlite3 python3 mandoc rsyslog systemd curl
	# the unit's sandbox test traces the daemon's system calls
	strace
	# the web viewer's end-to-end test drives a headless browser
	chromium
	# network tests: a DNS server (the binary only, no system service),
	# dig, unshare for a private resolv.conf
	dnsmasq-base bind9-dnsutils util-linux
	# tests of forwarding: receivers and a test CA
	rsyslog-openssl clickhouse-server clickhouse-client openssl
)
if [ "${1:-}" == "--list" ]; then
	echo "${pkgs[@]}"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: run as root (apt-get install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${pkgs[@]}"
