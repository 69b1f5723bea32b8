#!/usr/bin/env bash
# Starts the release build for the Playwright suite: a fresh embedded PostgreSQL cluster in
# /tmp/tessera-e2e (the path a new user takes when DATABASE_URL is not set), with the demo data.
# /tmp because as root the cluster runs as the `postgres` user, who must reach its folder.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL
E2E=/tmp/tessera-e2e
source scripts/test-pg.sh # for as_pg and pg_bin
# A cluster left running by an interrupted run is stopped before its folder goes.
[ -f "$E2E/pg/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$E2E/pg" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$E2E"
mkdir -p "$E2E"
exec target/release/tessera \
  --pg-data "$E2E/pg" --pg-port 54349 --media-dir "$E2E/media" \
  --files-dir "$E2E/files" --code-key-file "$E2E/code-keys" \
  serve --demo --addr 127.0.0.1:3100
