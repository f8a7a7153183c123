#!/usr/bin/env bash
# Install and start what the tests need from the operating system (Debian):
# Chromium for the browser tests, poppler for PDF checks, pango for WeasyPrint, and a running PostgreSQL.
# Safe to run again: it only acts on what is missing or stopped.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/doc/libpango-1.0-0 ] || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/doc/libharfbuzz-subset0 ] || need+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
{ [ -d /usr/share/fonts/truetype/liberation2 ] || [ -d /usr/share/fonts/truetype/liberation ]; } || need+=(fonts-liberation2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "system-deps: missing ${need[*]}; install them with apt-get (needs root)" >&2
    exit 1
  fi
fi

# PostgreSQL: start the installed cluster if it is down (the tests use 127.0.0.1:5432, database "test").
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters --no-header 2>/dev/null | while read -r ver name port status _; do
    if [ "$status" != "online" ]; then
      echo "system-deps: starting PostgreSQL $ver/$name"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
    fi
  done
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  if ! psql -h 127.0.0.1 -U postgres -lqt 2>/dev/null | cut -d'|' -f1 | grep -qw test; then
    createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
  fi
fi
