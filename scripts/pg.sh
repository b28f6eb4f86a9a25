#!/usr/bin/env bash
# The checkout's private PostgreSQL 15 cluster (and its databases) for make; usage at the end.
#
# With DATABASE_URL set no cluster is made: it names the server (and a superuser login) and DB replaces
# its database part. Otherwise the cluster lives in .pg/ (or /tmp/pgpsa-<hash> when the server's OS user
# cannot reach the checkout), listens on 127.0.0.1 and a private socket with trust auth, superuser
# `postgres`, on port $PGPORT or, by default, 25432 + (checkout hash mod 500): one port per checkout,
# so two checkouts never clash, and below Linux's ephemeral ports (32768 and up): a client's connection (wrk's,
# the suite's) left in TIME-WAIT on the port would keep the cluster from starting again (it did, on 54576).
# CI=true makes it a throwaway cluster (fsync=off). A tablespace in RAM, pgpsa_scratch, holds throwaway databases.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=/usr/lib/postgresql/15/bin
hash=$(printf %s "$root" | sha1sum | cut -c1-8)
port=${PGPORT:-$((25432 + 0x${hash:0:4} % 500))}

die() { echo "pg.sh: $*" >&2; exit 1; }

# initdb and pg_ctl refuse to run as root: then the server runs as the `postgres` OS user (from /, as
# it may not enter the checkout).
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres -- env -C /); owner=postgres; else as_pg=(); owner=$(id -un); fi

apt_install() {
    command -v apt-get >/dev/null || die "missing $*: install it with your package manager"
    local sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo -n)
    echo "pg.sh: installing $* with apt" >&2
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Only touches apt when something is missing, so a second run is instant.
install_missing() {
    local need=()
    [ -x "$bin/initdb" ] || need+=(postgresql-15)
    [ -f /usr/share/postgresql/15/extension/pgtap.control ] || need+=(postgresql-15-pgtap)
    # The job-ticket PDF test renders pages with pdftoppm.
    command -v pdftoppm >/dev/null || need+=(poppler-utils)
    if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
}

cluster_dir() {
    if [ -n "${PGPSA_PGDIR:-}" ]; then dir=$PGPSA_PGDIR
    elif "${as_pg[@]}" test -x "$root" -a -r "$root"; then dir=$root/.pg
    else dir=/tmp/pgpsa-$hash
    fi
    data=$dir/data
    sock=$dir
    # A unix socket path is limited to 107 bytes.
    [ ${#sock} -lt 90 ] || sock=/tmp/pgpsa-$hash.sock
}

url() {
    if [ -n "${DATABASE_URL:-}" ]; then
        python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + u.quote(sys.argv[2]))))' "$DATABASE_URL" "$1"
    else
        cluster_dir
        # The running server's real port wins (PGPORT may have changed since it started).
        local p=$port
        [ -f "$data/postmaster.pid" ] && p=$(sed -n 4p "$data/postmaster.pid")
        echo "postgresql://postgres@127.0.0.1:$p/$1"
    fi
}

sql() { # DB SQL [psql -v args]: runs SQL from stdin so psql interpolates :'vars'
    local db=$1 q=$2; shift 2
    PGOPTIONS="-c client_min_messages=warning" \
        "${PSQL:-psql}" -X -q -tA -v ON_ERROR_STOP=1 -d "$(url "$db")" "$@" <<<"$q"
}

start_cluster() {
    install_missing
    cluster_dir
    if [ ! -f "$data/PG_VERSION" ]; then
        mkdir -p "$dir" "$sock"
        # /tmp is shared: never adopt a folder someone else made there.
        for d in "$dir" "$sock"; do
            case $(stat -c %U "$d") in "$owner" | "$(id -un)") ;; *) die "$d belongs to someone else" ;; esac
        done
        chown "$owner" "$dir" "$sock"
        "${as_pg[@]}" "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "unix_socket_directories = '$sock'"
            # A CI clone's cluster is thrown away: durability only costs time there.
            [ -z "${CI:-}" ] || printf '%s\n' "fsync = off" "full_page_writes = off" "synchronous_commit = off"
        } | "${as_pg[@]}" tee -a "$data/postgresql.conf" >/dev/null
        echo "pg.sh: new cluster in $dir" >&2
    fi
    if ! "${as_pg[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -o "-p $port" -w -s start 9<&- \
            || { tail -n 20 "$dir/server.log" >&2; die "could not start the cluster (port $port taken? set PGPORT)"; }
        echo "pg.sh: cluster running on 127.0.0.1:$port ($dir)" >&2
    fi
}

# RAM for what is thrown away (the suite's databases and clusters of its own): /dev/shm when it is a tmpfs with 1 GiB
# free. A database copy makes about 1,000 files, and on this machine's ext4 each new file cost a core about a
# millisecond hunting a free inode among those just deleted (perf: recently_deleted): 1.2 s a copy, 0.1 s in RAM.
ram_dir() {
    [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] || return 1
    [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -ge $((1024 * 1024)) ] || return 1
    echo /dev/shm
}

# Tablespace pgpsa_scratch, in RAM, for the suite's throwaway databases; nothing else may live there. After a reboot
# its folder is gone with the databases that were in it: they are dropped and the tablespace made again.
scratch_tablespace() {
    local at ram loc
    case $dir in /dev/shm/*) return 0 ;; esac  # the cluster is in RAM already
    at=$(sql postgres "select pg_tablespace_location(oid) from pg_tablespace where spcname = 'pgpsa_scratch'")
    if [ -n "$at" ] && compgen -G "$at/PG_*" >/dev/null; then return 0; fi
    if [ -n "$at" ]; then
        sql postgres "select format('drop database %I with (force)', d.datname) from pg_database as d
            join pg_tablespace as t on t.oid = d.dattablespace where t.spcname = 'pgpsa_scratch' \\gexec
            drop tablespace pgpsa_scratch" 2>/dev/null
    fi
    ram=$(ram_dir) || return 0
    loc=$ram/pgpsa-scratch-$(printf %s "$dir" | sha1sum | cut -c1-8)
    rm -rf "$loc"; mkdir -m 700 "$loc"; chown "$owner" "$loc"
    sql postgres "create tablespace pgpsa_scratch location :'loc'" -v loc="$loc"
}

create_db() {
    if [ -z "$(sql postgres "select 1 from pg_database where datname = :'db'" -v db="$1")" ]; then
        sql postgres 'create database :"db"' -v db="$1"
        echo "pg.sh: created database $1" >&2
    fi
}

drop_db() { sql postgres 'drop database if exists :"db" with (force)' -v db="$1"; }

ensure() {
    if [ -n "${DATABASE_URL:-}" ]; then
        command -v psql >/dev/null || apt_install postgresql-client
    else
        # Serialise concurrent runs (make run beside make test) around initdb and start;
        # the server must not inherit the lock (9<&- above).
        exec 9<"$0"; flock 9
        start_cluster
        scratch_tablespace
        exec 9<&-
    fi
    PSQL=$bin/psql
    [ -x "$PSQL" ] || PSQL=psql
}

cmd=${1:-}; db=${2:-}
need_db() { [ -n "$db" ] || die "usage: pg.sh $cmd DBNAME"; }
case $cmd in
    ensure) ensure; if [ -n "$db" ]; then create_db "$db"; fi ;;
    url) need_db; url "$db" ;;
    throwaway-dir) # a new folder's path for a throwaway cluster (PGPSA_PGDIR), in RAM when there is room
        [ -n "$db" ] || die "usage: pg.sh throwaway-dir PREFIX"
        echo "$(ram_dir || echo /tmp)/$db-$RANDOM$RANDOM" ;;
    psql) need_db; ensure; exec "$PSQL" -X -d "$(url "$db")" ;;
    drop) need_db; ensure; drop_db "$db" ;;
    recreate) need_db; ensure; drop_db "$db"; create_db "$db" ;;
    stop | destroy | status)
        [ -z "${DATABASE_URL:-}" ] || { echo "pg.sh: DATABASE_URL is set, no private cluster"; exit 0; }
        [ -x "$bin/pg_ctl" ] || exit 0
        cluster_dir
        [ -f "$data/PG_VERSION" ] || { echo "pg.sh: no cluster in $dir"; exit 0; }
        if [ "$cmd" = status ]; then "${as_pg[@]}" "$bin/pg_ctl" -D "$data" status; echo "cluster: $dir"; exit; fi
        if "${as_pg[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -m fast -w -s stop
            echo "pg.sh: cluster stopped ($dir)"
        fi
        if [ "$cmd" = destroy ]; then
            for at in "$data"/pg_tblspc/*; do [ ! -L "$at" ] || rm -rf "$(readlink "$at")"; done
            rm -rf "$dir" "$sock"
            echo "pg.sh: removed $dir"
        fi
        ;;
    *) die "usage: pg.sh ensure [DB] | stop | status | url DB | psql DB | drop DB | recreate DB | destroy" \
        "| throwaway-dir PREFIX" ;;
esac
