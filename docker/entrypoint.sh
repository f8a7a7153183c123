#!/bin/sh
# Taut's entrypoint: in the container image, and usable as is on a server without containers.
#   entrypoint.sh [serve]        wait for the database, apply migrations, then become the web server
#   entrypoint.sh ARGS...        run `taut ARGS...` instead (e.g. `backup --keep 14`, `mail test ADDRESS`)
# Settings come from the environment (see .env.example). TAUT_BIN is the command that runs Taut (default
# `taut`); TAUT_DB_WAIT_SECONDS how long to wait for the database (default 60); TAUT_WORKERS the number of
# server processes (default 2).
set -eu

TAUT_BIN="${TAUT_BIN:-taut}"
WAIT="${TAUT_DB_WAIT_SECONDS:-60}"

if [ "$#" -gt 0 ] && [ "$1" != "serve" ]; then
    # shellcheck disable=SC2086  # TAUT_BIN may be a command with arguments
    exec $TAUT_BIN "$@"
fi
[ "$#" -gt 0 ] && shift

# The database: PostgreSQL may still be starting (compose starts both at once).
waited=0
# shellcheck disable=SC2086
until $TAUT_BIN db current >/dev/null 2>"${TMPDIR:-/tmp}/taut-db-wait.$$"; do
    if [ "$waited" -ge "$WAIT" ]; then
        echo "entrypoint: the database did not answer within ${WAIT} s: $(tail -n 1 "${TMPDIR:-/tmp}/taut-db-wait.$$")" >&2
        rm -f "${TMPDIR:-/tmp}/taut-db-wait.$$"
        exit 1
    fi
    sleep 1
    waited=$((waited + 1))
done
rm -f "${TMPDIR:-/tmp}/taut-db-wait.$$"

# Migrations: safe when several containers start at once (a PostgreSQL advisory lock serialises them).
# shellcheck disable=SC2086
$TAUT_BIN db upgrade

# shellcheck disable=SC2086
exec $TAUT_BIN serve --workers "${TAUT_WORKERS:-2}" "$@"
