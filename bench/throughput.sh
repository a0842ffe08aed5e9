#!/usr/bin/env bash
# Hello-world throughput per worker kind, 2 workers, with wrk (-t2 -c32 -d10s after a 20 s warm-up),
# against (a) the same handler in one plain JVM and (b) Gunicorn (Debian's) with the same workers.
#   sync    vs  JDK com.sun.net.httpserver, 2 request threads, -Dsun.net.httpserver.nodelay=true
#           vs  gunicorn -k sync -w 2
#   gthread vs  plain Undertow, 2 I/O + 2 x THREADS task threads
#           vs  gunicorn -k gthread -w 2 --threads THREADS
#   vertx   (1 event loop per worker) also with a native Vert.x handler, vs plain Vert.x with 2 loops
#           (ratio against the native-handler row); Gunicorn has no counterpart here
# wrk and the servers share this machine's CPUs (2 here): the figures are for comparison, not limits.
#
#   bench/throughput.sh [KIND...]    THROUGHPUT_JDKS="17" (Qilin rows; "17 25" adds JDK 25)
#                                    THROUGHPUT_ONE_PROCESS=1 adds -w 1 with the same total threads
#                                    WRK_DURATION=10 WRK_WARMUP=20 WRK_CONNECTIONS=32
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"

DURATION=${WRK_DURATION:-10}
# JIT warm-up: a worker JVM is at 0.55-0.75 of its speed for its first ~12 s under load, level after ~20 s
WARMUP=${WRK_WARMUP:-20}
CONNS=${WRK_CONNECTIONS:-32}
WORKERS=2
read -r -a KINDS <<<"$(installed_kinds "${*:-$BENCH_KINDS}")"
QJDKS=()
for v in ${THROUGHPUT_JDKS:-17}; do
    case $v in
        17) QJDKS+=("$JDK17_HOME") ;;
        25) [ -x "$JDK25_HOME/bin/java" ] && QJDKS+=("$JDK25_HOME") ;;
    esac
done

# wrk_run URL [WRK ARGS...]: warm-up, then the measured run; sets RPS P50 P99 ERRS.
wrk_run() {
    local url=$1 out
    shift
    wrk -t2 -c"$CONNS" -d"${WARMUP}s" "$@" "$url" >/dev/null 2>&1 || true
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url" 2>&1)
    echo "$out" >>"$BENCH_TMP/wrk.log"
    read -r RPS P50 P99 ERRS < <(echo "$out" | awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v
        }
        /^ +50%/ {p50 = ms($2)}
        /^ +99%/ {p99 = ms($2)}
        /Socket errors/ {gsub(",", ""); errs += $4 + $8 + $10; reads += $6}
        /Non-2xx/ {errs += $NF}
        /^Requests\/sec/ {rps = $2}
        END {printf "%.0f %.2f %.2f %d/%d\n", rps, p50, p99, errs, reads}')
}

row() { # label rps p50 p99 errs [ratio]
    printf '%-58s %9s %8s %8s %9s  %s\n' "$@"
}

print_machine
compile_bench_classes "$JDK17_HOME"
echo "== hello world, wrk -t2 -c$CONNS -d${DURATION}s (after -d${WARMUP}s warm-up), keep-alive unless the server closes"
echo "   wrk and the servers share the same $(nproc) CPUs"
row "server" "req/s" "p50 ms" "p99 ms" "err/read" "Qilin / this"
for kind in "${KINDS[@]}"; do
    echo "-- $kind"
    # shellcheck disable=SC2207
    kopts=($(kind_opts "$kind"))
    declare -A rps=()
    for jh in "${QJDKS[@]}"; do
        v=$(java_feature_of "$jh")
        port=$(free_port)
        bench_start_master m "$jh" "$BENCH_TMP/q-$kind-$v.log" -b "127.0.0.1:$port" -w $WORKERS -k "$kind" "${kopts[@]}" \
            io.qilin.examples.Hello
        wait_booted "$m" "$BENCH_TMP/q-$kind-$v.log" $WORKERS "http://127.0.0.1:$port/"
        wrk_run "http://127.0.0.1:$port/"
        bench_stop_master "$m" INT
        rps[qilin$v]=$RPS
        row "qilin -k $kind -w $WORKERS ${kopts[*]} (JDK $v)" "$RPS" "$P50" "$P99" "$ERRS"
    done
    base=${rps[qilin17]:-${rps[qilin25]:-}}
    if [ "${THROUGHPUT_ONE_PROCESS:-0}" = 1 ] && [ "$kind" != sync ]; then
        # the same total threads in one worker process: separates the cost of the worker kind from
        # the cost of running two JVMs on these CPUs
        case $kind in
            gthread) one=(--threads $((WORKERS * BENCH_THREADS))) ;;
            *) one=(--threads $((WORKERS * BENCH_VERTX_LOOPS))) ;;
        esac
        # vertx: the native handler, as the plain Vert.x baseline runs
        app=(io.qilin.examples.Hello)
        if [ "$kind" = vertx ]; then app=(--classpath "$BENCH_TMP/classes" bench.VertxNativeHello); fi
        port=$(free_port)
        bench_start_master m "$JDK17_HOME" "$BENCH_TMP/q-$kind-one.log" -b "127.0.0.1:$port" -w 1 -k "$kind" "${one[@]}" \
            "${app[@]}"
        wait_booted "$m" "$BENCH_TMP/q-$kind-one.log" 1 "http://127.0.0.1:$port/"
        wrk_run "http://127.0.0.1:$port/"
        bench_stop_master "$m" INT
        one_rps=$RPS
        row "  qilin -k $kind -w 1 ${one[*]} ${app[*]: -1} (JDK 17)" "$RPS" "$P50" "$P99" "$ERRS"
    fi
    if [ "$kind" = vertx ]; then
        # Qilin's vertx runs a portable handler off the event loop; a native Vert.x handler runs on it
        port=$(free_port)
        bench_start_master m "$JDK17_HOME" "$BENCH_TMP/q-vertx-native.log" -b "127.0.0.1:$port" -w $WORKERS -k vertx \
            "${kopts[@]}" --classpath "$BENCH_TMP/classes" bench.VertxNativeHello
        wait_booted "$m" "$BENCH_TMP/q-vertx-native.log" $WORKERS "http://127.0.0.1:$port/"
        wrk_run "http://127.0.0.1:$port/"
        bench_stop_master "$m" INT
        base=$RPS
        row "qilin -k vertx -w $WORKERS ${kopts[*]}, native Vert.x handler (JDK 17)" "$RPS" "$P50" "$P99" "$ERRS"
    fi

    # (a) the same handler in one plain JVM
    port=$(free_port)
    case $kind in
        sync)
            "$JDK17_HOME/bin/java" -Dsun.net.httpserver.nodelay=true -cp "$BENCH_TMP/classes:$QILIN_HOME/examples/*" \
                bench.JdkHello "$port" $WORKERS 2>"$BENCH_TMP/plain.log" &
            label="JDK HttpServer, 1 JVM, $WORKERS threads, nodelay (JDK 17)" ;;
        gthread)
            "$JDK17_HOME/bin/java" \
                -cp "$BENCH_TMP/classes:$QILIN_HOME/lib/*" \
                bench.UndertowHello "$port" 2 $((WORKERS * BENCH_THREADS)) 2>"$BENCH_TMP/plain.log" &
            label="Undertow, 1 JVM, 2 I/O + $((WORKERS * BENCH_THREADS)) task threads (JDK 17)" ;;
        vertx)
            loops=$((WORKERS * BENCH_VERTX_LOOPS))
            "$JDK17_HOME/bin/java" \
                -cp "$BENCH_TMP/classes:$QILIN_HOME/lib/*" bench.VertxHello "$port" $loops 2>"$BENCH_TMP/plain.log" &
            label="Vert.x, 1 JVM, $loops event loops, native handler (JDK 17)" ;;
        *)
            label= ;;
    esac
    if [ -n "$label" ]; then
        plain=$!
        bench_track $plain
        wait_http "http://127.0.0.1:$port/" 30
        wrk_run "http://127.0.0.1:$port/"
        row "$label" "$RPS" "$P50" "$P99" "$ERRS" "$(awk -v a="$base" -v b="$RPS" 'BEGIN {printf "%.2f", a / b}')"
        if [ -n "${one_rps:-}" ]; then
            row "  one Qilin worker with the same threads / this" "" "" "" "" \
                "$(awk -v a="$one_rps" -v b="$RPS" 'BEGIN {printf "%.2f", a / b}')"
        fi
        if [ "$kind" = sync ]; then
            # sync answers Connection: close (as Gunicorn's sync): the same protocol for the JDK server
            wrk_run "http://127.0.0.1:$port/" -H "Connection: close"
            row "  the same, with Connection: close on every request" "$RPS" "$P50" "$P99" "$ERRS" \
                "$(awk -v a="$base" -v b="$RPS" 'BEGIN {printf "%.2f", a / b}')"
        fi
        kill -TERM $plain
        wait $plain 2>/dev/null || true
    else
        echo "  (no plain-JVM baseline defined for $kind)"
    fi

    # (b) Gunicorn with the same worker kind, if it has one
    case $kind in
        sync) gargs=(-k sync) ;;
        gthread) gargs=(-k gthread --threads "$BENCH_THREADS") ;;
        *) gargs=() ;;
    esac
    if [ ${#gargs[@]} -gt 0 ] && command -v gunicorn >/dev/null; then
        port=$(free_port)
        gunicorn -w $WORKERS "${gargs[@]}" -b "127.0.0.1:$port" --chdir "$BENCH_DIR/src" --log-level warning \
            hello_wsgi:app 2>"$BENCH_TMP/gunicorn.log" &
        g=$!
        bench_track $g
        wait_http "http://127.0.0.1:$port/" 30
        wrk_run "http://127.0.0.1:$port/"
        row "gunicorn $(gunicorn --version 2>&1 | awk '{print $NF}' | tr -d '()') -w $WORKERS ${gargs[*]}" "$RPS" "$P50" "$P99" "$ERRS" \
            "$(awk -v a="$base" -v b="$RPS" 'BEGIN {printf "%.2f", a / b}')"
        kill -TERM $g
        wait $g 2>/dev/null || true
    fi
    unset rps one_rps
done
echo
echo "err: wrk's connect, write and timeout errors plus non-2xx responses; read: wrk's read errors, which"
echo "include a server closing the connection after a complete response without saying Connection: close"
echo "(the JDK server does that when the client asked for close: those requests did succeed)."
print_load_after
