# A throwaway PostgreSQL cluster for one test run (sourced by scripts/test):
# initdb in /tmp/tessera-test-pg, listening on 127.0.0.1:$TEST_PG_PORT, trust auth.
# initdb refuses to run as root, so as root the binaries run as the `postgres` user (hence a
# folder under /tmp, which that user can reach wherever the checkout is).
TEST_PG_PORT=${TEST_PG_PORT:-54339}
TEST_PG_DIR=/tmp/tessera-test-pg

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_test_pg() {
  local bin; bin=$(pg_bin)
  stop_test_pg
  rm -rf "$TEST_PG_DIR"; mkdir -p "$TEST_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$TEST_PG_DIR"; fi
  as_pg "$bin/initdb" -D "$TEST_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$TEST_PG_DIR/data" -l "$TEST_PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $TEST_PG_PORT -k $TEST_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$TEST_PG_PORT/postgres"
  echo "test PostgreSQL at $DATABASE_URL"
}

stop_test_pg() {
  if [ -f "$TEST_PG_DIR/data/postmaster.pid" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$TEST_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}
