#!/usr/bin/env bash
# What the benchmarks need from the operating system (Debian): wrk, the HTTP load generator of `bench web`,
# and a running PostgreSQL (as for the tests).
set -euo pipefail
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench-deps: installing wrk"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "bench-deps: wrk is missing; install it with apt-get install wrk (needs root)" >&2
    exit 1
  fi
fi
bash "$(dirname "$0")/system-deps.sh"
