#!/usr/bin/env bash
# Servlet and database apps on gthread, 2 workers, with wrk:
#   1. the servlet hello (io.qilin.examples.servlet.HelloServlet, alone and with a filter and a listener) against the same hello
#      as a raw Undertow handler on gthread, on the I/O thread and dispatched to a task thread (as a servlet
#      is), and against plain Undertow in one JVM (bench.UndertowHello, as in throughput.sh: 2 I/O threads,
#      2 x THREADS task threads, blocking handler); all five run at once and are measured in turn, ROUNDS
#      times (medians; the ratios are of the same run);
#   2. the example service's insert endpoint (PUT /todos/<new id>, one row each) against a PostgreSQL of
#      its own (Debian's package: initdb + pg_ctl in a temporary folder, as the postgres user).
# wrk, the servers and PostgreSQL share this machine's CPUs: figures for comparison, not limits.
#
#   bench/java_apps.sh      WRK_DURATION=5 WRK_WARMUP=20 WRK_CONNECTIONS=32 ROUNDS=3 BENCH_THREADS=8
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"

DURATION=${WRK_DURATION:-5}
WARMUP=${WRK_WARMUP:-20}
CONNS=${WRK_CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
print_machine
compile_bench_classes

# rps URL [WRK ARGS...]: requests/s of one wrk run
rps() {
    local url=$1
    shift
    wrk -t2 -c"$CONNS" -d"${DURATION}s" "$@" "$url" | awk '/^Requests\/sec/ {printf "%.0f", $2}'
}

start_gthread() { # VAR LOG PORT ARGS...: a gthread master with 2 workers, waited for
    local __var=$1 log=$2 port=$3 started
    shift 3
    bench_start_master started "$JDK17_HOME" "$log" -k gthread -w 2 --threads "$BENCH_THREADS" --log-level debug \
        --boot-timeout 300 -b "127.0.0.1:$port" "$@"
    wait_ready "$started" "$log" 2 300
    printf -v "$__var" '%s' "$started"
}

echo "== servlet hello vs raw Undertow hello (gthread, 2 workers, --threads $BENCH_THREADS, wrk -t2 -c$CONNS, ${ROUNDS}x${DURATION}s after ${WARMUP}s warm-up)"
LABELS=("gthread: servlet (HelloServlet)" "gthread: servlet + filter + listener (HelloServlets)"
    "gthread: raw Undertow handler, task thread" "gthread: raw Undertow handler, I/O thread"
    "plain Undertow, one JVM (not Qilin)")
APPS=("io.qilin.examples.servlet.HelloServlet" "io.qilin.examples.servlet.HelloServlets"
    "bench.UndertowHelloHandler::dispatched" "bench.UndertowHelloHandler")
PORTS=() SAMPLES=()
for i in 0 1 2 3 4; do
    PORTS[i]=$(free_port)
    if [ "$i" -lt 4 ]; then
        start_gthread MASTER_PID "$BENCH_TMP/hello$i.log" "${PORTS[i]}" --classpath "$BENCH_TMP/classes" "${APPS[i]}"
    else
        "$JDK17_HOME/bin/java" -cp "$BENCH_TMP/classes:$QILIN_HOME/lib/*" bench.UndertowHello "${PORTS[i]}" 2 \
            $((2 * BENCH_THREADS)) 2>"$BENCH_TMP/plain.log" &
        bench_track $!
    fi
    wait_http "http://127.0.0.1:${PORTS[i]}/"
    DURATION=$WARMUP rps "http://127.0.0.1:${PORTS[i]}/" >/dev/null
    SAMPLES[i]=""
done
for r in $(seq 1 "$ROUNDS"); do
    for i in 0 1 2 3 4; do
        SAMPLES[i]="${SAMPLES[i]} $(rps "http://127.0.0.1:${PORTS[i]}/")"
    done
done
# shellcheck disable=SC2086
SERVLET=$(median ${SAMPLES[0]})
printf '%-52s %10s %9s   %s\n' "app" "req/s" "servlet/x" "samples"
for i in 0 1 2 3 4; do
    # shellcheck disable=SC2086
    m=$(median ${SAMPLES[i]})
    printf '%-52s %10.0f %9.2f   %s\n' "${LABELS[i]}" "$m" "$(awk -v a="$SERVLET" -v b="$m" 'BEGIN {print a / b}')" "${SAMPLES[i]# }"
done

echo
echo "== example service: PUT /todos/<new id> (one INSERT each), gthread, 2 workers, pool of 4 each, PostgreSQL on this machine"
PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)")
[ -x "$PG_BIN/pg_ctl" ] || { echo "(skipped: PostgreSQL is not installed: apt-get install -y postgresql)"; print_load_after; exit 0; }
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/qilin-bench-pg.XXXXXX") # outside BENCH_TMP, which only this user may enter
PG_PORT=$(free_port)
PG_USER=$( [ "$(id -u)" = 0 ] && { id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody; } || id -un)
chown "$PG_USER" "$PG_DIR"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi; }
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
trap 'as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; bench_cleanup' EXIT
TODO_PORT=$(free_port)
start_gthread MASTER_PID "$BENCH_TMP/todo.log" "$TODO_PORT" -e "TODO_DATABASE_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
    --classpath "$QILIN_HOME/examples/todo-service/*" io.qilin.examples.todo.TodoService
wait_http "http://127.0.0.1:$TODO_PORT/healthz"
cat >"$BENCH_TMP/put.lua" <<'LUA'
-- a new id for every request: thread number, then a counter
local counter, prefix = 0, ""
function setup(thread) thread:set("prefix", tostring(math.random(1, 1e9))) end
function init(args) prefix = wrk.thread:get("prefix") end
request = function()
    counter = counter + 1
    return wrk.format("PUT", "/todos/" .. prefix .. "-" .. counter, {["Content-Type"] = "text/plain"}, "bench todo")
end
LUA
DURATION=$WARMUP rps "http://127.0.0.1:$TODO_PORT" -s "$BENCH_TMP/put.lua" >/dev/null
TODO_SAMPLES=""
for r in $(seq 1 "$ROUNDS"); do
    TODO_SAMPLES="$TODO_SAMPLES $(rps "http://127.0.0.1:$TODO_PORT" -s "$BENCH_TMP/put.lua")"
done
PSQL=$(command -v psql || echo "$PG_BIN/psql")
ROWS=$("$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT count(*) FROM todo")
# shellcheck disable=SC2086
printf '%-52s %10.0f   %s   (%s rows inserted in all)\n' "PUT /todos/<id> (insert)" "$(median $TODO_SAMPLES)" "${TODO_SAMPLES# }" "$ROWS"
print_load_after
