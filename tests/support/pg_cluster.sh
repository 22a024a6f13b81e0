#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL cluster for the tests: initdb in a temporary directory, trust
# authentication, listening on 127.0.0.1 only, on a free port.
#
#   pg_cluster.sh start DIR          initdb + start; DIR/url holds postgres://postgres@127.0.0.1:PORT
#   pg_cluster.sh stop DIR           stop the server and remove the cluster (DIR/* too)
#   pg_cluster.sh pause DIR          stop the server, keep the data (an outage)
#   pg_cluster.sh resume DIR         start it again on the same port
#   pg_cluster.sh createdb DIR NAME  (re)create database NAME empty; prints its URL
#
# DIR only holds small state files: the cluster itself lives in a mktemp directory that
# the postgres user can reach (DIR may be under a home directory it cannot enter).
# When the PostgreSQL server binaries are absent, `start` writes DIR/skip with the reason
# and exits 0: the tests that need a database then skip themselves (exit 125).
# As root, initdb and pg_ctl run as the postgres user (initdb refuses root).
set -euo pipefail

cmd=${1:?usage: pg_cluster.sh start|stop|pause|resume|createdb DIR [NAME]}
dir=${2:?usage: pg_cluster.sh $cmd DIR}

bin_dir() {
  local candidate
  for candidate in ${OAUTHCTL_PG_BIN:-} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x $candidate/initdb && -x $candidate/pg_ctl ]] && { echo "$candidate"; return 0; }
  done
  return 1
}

# as_owner CMD...: runs CMD as the cluster's owner (postgres when we are root).
as_owner() {
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# server_start PORT: starts the cluster's server on PORT and waits until it accepts.
server_start() {
  local bin=$1 data=$2 port=$3
  as_owner "$bin/pg_ctl" -D "$data/db" -w -t 30 -l "$data/log" \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
}

case $cmd in
  start)
    mkdir -p "$dir"
    rm -f "$dir/url" "$dir/skip" "$dir/data" "$dir/port"
    if ! bin=$(bin_dir); then
      echo "PostgreSQL server binaries not found (Debian package postgresql)" >"$dir/skip"
      echo "pg_cluster: $(cat "$dir/skip"): tests that need PostgreSQL will skip"
      exit 0
    fi
    data=$(mktemp -d /tmp/oauthctl-pg.XXXXXX)
    chmod 700 "$data"
    [[ $(id -u) == 0 ]] && chown postgres: "$data"
    echo "$data" >"$dir/data"
    as_owner "$bin/initdb" -D "$data/db" -A trust -U postgres --no-sync >"$data/initdb.log" 2>&1 ||
      { cat "$data/initdb.log" >&2; exit 1; }
    # A free port can be taken between the probe and the bind: try a few.
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      if server_start "$bin" "$data" "$port"; then
        echo "$port" >"$dir/port"
        echo "postgres://postgres@127.0.0.1:$port" >"$dir/url"
        echo "pg_cluster: listening on 127.0.0.1:$port ($data)"
        exit 0
      fi
      echo "pg_cluster: start on port $port failed (attempt $attempt)" >&2
    done
    tail -n 20 "$data/log" >&2
    exit 1
    ;;
  stop)
    if [[ -f $dir/data ]]; then
      data=$(cat "$dir/data")
      if bin=$(bin_dir) && [[ -f $data/db/postmaster.pid ]]; then
        as_owner "$bin/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
      fi
      [[ $data == /tmp/oauthctl-pg.* ]] && rm -rf "$data"
    fi
    rm -f "$dir/url" "$dir/skip" "$dir/data" "$dir/port"
    ;;
  pause)
    bin=$(bin_dir)
    as_owner "$bin/pg_ctl" -D "$(cat "$dir/data")/db" -m fast -w stop >/dev/null
    ;;
  resume)
    bin=$(bin_dir)
    server_start "$bin" "$(cat "$dir/data")" "$(cat "$dir/port")"
    ;;
  createdb)
    name=${3:?usage: pg_cluster.sh createdb DIR NAME}
    [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "pg_cluster: bad database name $name" >&2; exit 2; }
    port=$(cat "$dir/port")
    psql=("$(bin_dir)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres)
    "${psql[@]}" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/$name"
    ;;
  *)
    echo "usage: pg_cluster.sh start|stop|pause|resume|createdb DIR [NAME]" >&2
    exit 2
    ;;
esac
