#!/usr/bin/env bash
# Hello-world throughput per worker kind, 2 workers, with wrk (-t2 -c32), against (a) the same
# handler in one plain JVM and (b) Gunicorn (Debian's) with the same workers.
#   sync    vs  JDK com.sun.net.httpserver, 2 request threads, -Dsun.net.httpserver.nodelay=true
#           vs  gunicorn -k sync -w 2
#   gthread vs  plain Undertow, 2 I/O + 2 x THREADS task threads
#           vs  gunicorn -k gthread -w 2 --threads THREADS
#   vertx   (1 event loop per worker) also with a native Vert.x handler, vs plain Vert.x with 2 loops
#           (ratio against the native-handler row), and vs two plain Vert.x JVMs of 1 loop sharing the
#           port with SO_REUSEPORT (two processes without Qilin); Gunicorn has no counterpart here
#
# All the servers of a kind run at once (an idle server costs next to nothing); each gets a warm-up,
# then ROUNDS rounds measure every server in turn, and the medians are printed. Interleaving matters
# here: on a shared 2-CPU machine one 10 s run of a server can differ from the next by 30 %, and
# servers measured minutes apart compare the machine's mood more than the servers.
# "CPU us/req" is the CPU time (user + system, all the server's processes) per request answered,
# steadier than req/s because it does not count the time wrk or a neighbour took.
# wrk and the servers share this machine's CPUs (2 here): the figures are for comparison, not limits.
#
#   bench/throughput.sh [KIND...]    THROUGHPUT_JDKS="17" (Qilin rows; "17 25" adds JDK 25)
#                                    THROUGHPUT_ONE_PROCESS=1 adds -w 1 with the same total threads
#                                    WRK_DURATION=8 WRK_WARMUP=20 WRK_CONNECTIONS=32 ROUNDS=5
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"

DURATION=${WRK_DURATION:-8}
# JIT warm-up: a worker JVM is at 0.55-0.75 of its speed for its first ~12 s under load, level after ~20 s
WARMUP=${WRK_WARMUP:-20}
CONNS=${WRK_CONNECTIONS:-32}
ROUNDS=${ROUNDS:-5}
WORKERS=2
read -r -a KINDS <<<"$(installed_kinds "${*:-$BENCH_KINDS}")"
QJDKS=()
for v in ${THROUGHPUT_JDKS:-17}; do
    case $v in
        17) QJDKS+=("$JDK17_HOME") ;;
        25) [ -x "$JDK25_HOME/bin/java" ] && QJDKS+=("$JDK25_HOME") ;;
    esac
done

# The servers of the kind being measured, one entry per row.
T_LABEL=() T_URL=() T_WRK=() T_PIDS=() T_RPS=() T_P50=() T_P99=() T_ERRS=() T_CPU=()

# add_target LABEL URL "WRK ARGS" "PIDS": a row to measure; a % in WRK ARGS stands for a space.
add_target() {
    T_LABEL+=("$1") T_URL+=("$2") T_WRK+=("$3") T_PIDS+=("$4") T_RPS+=("") T_P50+=("") T_P99+=("") T_ERRS+=("") T_CPU+=("")
}

# CPU time (ms) of the given processes and their children so far.
tree_cpu_ms() {
    local total=0 p
    for p in $1 $(for p in $1; do bench_descendants "$p"; done); do
        total=$((total + $(cpu_ms "$p" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# wrk_once INDEX: one measured run of a target; appends to its samples.
wrk_once() {
    local i=$1 out before after rps p50 p99 errs args
    read -r -a args <<<"${T_WRK[$i]}"
    args=("${args[@]//%/ }")
    before=$(tree_cpu_ms "${T_PIDS[$i]}")
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "${args[@]}" "${T_URL[$i]}" 2>&1)
    after=$(tree_cpu_ms "${T_PIDS[$i]}")
    echo "$out" >>"$BENCH_TMP/wrk.log"
    read -r rps p50 p99 errs < <(echo "$out" | awk '
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
    T_RPS[$i]+=" $rps" T_P50[$i]+=" $p50" T_P99[$i]+=" $p99" T_ERRS[$i]+=" $errs"
    T_CPU[$i]+=" $(awk -v ms=$((after - before)) -v r="$rps" -v d="$DURATION" 'BEGIN {printf "%.1f", (r > 0 ? ms * 1000 / (r * d) : 0)}')"
}

# Sums "errors/reads" samples.
sum_errs() {
    printf '%s\n' "$@" | awk -F/ '{e += $1; r += $2} END {printf "%d/%d", e, r}'
}

row() { # label rps p50 p99 cpu errs [ratio]
    printf '%-58s %9s %8s %8s %9s %9s  %s\n' "$@"
}

measure_all() {
    local i round args
    for i in "${!T_URL[@]}"; do
        read -r -a args <<<"${T_WRK[$i]}"
        wrk -t2 -c"$CONNS" -d"${WARMUP}s" "${args[@]//%/ }" "${T_URL[$i]}" >/dev/null 2>&1 || true
    done
    for round in $(seq 1 "$ROUNDS"); do
        for i in "${!T_URL[@]}"; do
            wrk_once "$i"
        done
    done
}

# median_rps INDEX: the median req/s of a target.
median_rps() {
    # shellcheck disable=SC2086
    median ${T_RPS[$1]}
}

print_machine
compile_bench_classes "$JDK17_HOME"
echo "== hello world, wrk -t2 -c$CONNS: ${WARMUP}s warm-up per server, then $ROUNDS rounds of ${DURATION}s over all servers in turn; medians"
echo "   keep-alive unless the server closes; wrk and the servers share the same $(nproc) CPUs"
row "server" "req/s" "p50 ms" "p99 ms" "CPU us/req" "err/read" "Qilin / this"
for kind in "${KINDS[@]}"; do
    echo "-- $kind"
    # shellcheck disable=SC2207
    kopts=($(kind_opts "$kind"))
    T_LABEL=() T_URL=() T_WRK=() T_PIDS=() T_RPS=() T_P50=() T_P99=() T_ERRS=() T_CPU=()
    base= one= plain=

    for jh in "${QJDKS[@]}"; do
        v=$(java_feature_of "$jh")
        port=$(free_port)
        bench_start_master m "$jh" "$BENCH_TMP/q-$kind-$v.log" -b "127.0.0.1:$port" -w $WORKERS -k "$kind" "${kopts[@]}" \
            io.qilin.examples.Hello
        wait_booted "$m" "$BENCH_TMP/q-$kind-$v.log" $WORKERS "http://127.0.0.1:$port/"
        [ -z "$base" ] && base=${#T_URL[@]}
        add_target "qilin -k $kind -w $WORKERS ${kopts[*]} (JDK $v)" "http://127.0.0.1:$port/" "" "$m"
    done
    if [ "$kind" = vertx ]; then
        # Qilin's vertx runs a portable handler off the event loop; a native Vert.x handler runs on it
        port=$(free_port)
        bench_start_master m "$JDK17_HOME" "$BENCH_TMP/q-vertx-native.log" -b "127.0.0.1:$port" -w $WORKERS -k vertx \
            "${kopts[@]}" --classpath "$BENCH_TMP/classes" bench.VertxNativeHello
        wait_booted "$m" "$BENCH_TMP/q-vertx-native.log" $WORKERS "http://127.0.0.1:$port/"
        base=${#T_URL[@]}
        add_target "qilin -k vertx -w $WORKERS ${kopts[*]}, native Vert.x handler (JDK 17)" "http://127.0.0.1:$port/" "" "$m"
    fi
    if [ "${THROUGHPUT_ONE_PROCESS:-0}" = 1 ] && [ "$kind" != sync ]; then
        # the same total threads in one worker process: separates the cost of the worker kind from
        # the cost of running two JVMs on these CPUs
        case $kind in
            gthread) onet=(--threads $((WORKERS * BENCH_THREADS))) ;;
            *) onet=(--threads $((WORKERS * BENCH_VERTX_LOOPS))) ;;
        esac
        # vertx: the native handler, as the plain Vert.x baseline runs
        app=(io.qilin.examples.Hello)
        if [ "$kind" = vertx ]; then app=(--classpath "$BENCH_TMP/classes" bench.VertxNativeHello); fi
        port=$(free_port)
        bench_start_master m "$JDK17_HOME" "$BENCH_TMP/q-$kind-one.log" -b "127.0.0.1:$port" -w 1 -k "$kind" "${onet[@]}" \
            "${app[@]}"
        wait_booted "$m" "$BENCH_TMP/q-$kind-one.log" 1 "http://127.0.0.1:$port/"
        one=${#T_URL[@]}
        add_target "  qilin -k $kind -w 1 ${onet[*]} ${app[*]: -1} (JDK 17)" "http://127.0.0.1:$port/" "" "$m"
    fi

    # (a) the same handler in one plain JVM
    port=$(free_port)
    label=
    case $kind in
        sync)
            "$JDK17_HOME/bin/java" -Dsun.net.httpserver.nodelay=true -cp "$BENCH_TMP/classes:$QILIN_HOME/examples/*" \
                bench.JdkHello "$port" $WORKERS 2>"$BENCH_TMP/plain.log" &
            label="JDK HttpServer, 1 JVM, $WORKERS threads, nodelay (JDK 17)" ;;
        gthread)
            "$JDK17_HOME/bin/java" -cp "$BENCH_TMP/classes:$QILIN_HOME/lib/*" \
                bench.UndertowHello "$port" 2 $((WORKERS * BENCH_THREADS)) 2>"$BENCH_TMP/plain.log" &
            label="Undertow, 1 JVM, 2 I/O + $((WORKERS * BENCH_THREADS)) task threads (JDK 17)" ;;
        vertx)
            loops=$((WORKERS * BENCH_VERTX_LOOPS))
            "$JDK17_HOME/bin/java" -cp "$BENCH_TMP/classes:$QILIN_HOME/lib/*" \
                bench.VertxHello "$port" $loops 2>"$BENCH_TMP/plain.log" &
            label="Vert.x, 1 JVM, $loops event loops, native handler (JDK 17)" ;;
    esac
    if [ -n "$label" ]; then
        bench_track $!
        wait_http "http://127.0.0.1:$port/" 30
        plain=${#T_URL[@]}
        add_target "$label" "http://127.0.0.1:$port/" "" "$!"
        if [ "$kind" = vertx ]; then
            # two plain JVMs sharing the port through SO_REUSEPORT: what two processes cost without Qilin
            port=$(free_port)
            two=()
            for j in $(seq 1 $WORKERS); do
                "$JDK17_HOME/bin/java" -cp "$BENCH_TMP/classes:$QILIN_HOME/lib/*" \
                    bench.VertxHello "$port" "$BENCH_VERTX_LOOPS" reuseport 2>>"$BENCH_TMP/plain.log" &
                bench_track $!
                two+=($!)
            done
            wait_http "http://127.0.0.1:$port/" 30
            add_target "  $WORKERS plain Vert.x JVMs, $BENCH_VERTX_LOOPS loop each, SO_REUSEPORT (JDK 17)" \
                "http://127.0.0.1:$port/" "" "${two[*]}"
        fi
        if [ "$kind" = sync ]; then
            # sync answers Connection: close (as Gunicorn's sync): the same protocol for the JDK server
            add_target "  the same, with Connection: close on every request" "http://127.0.0.1:$port/" \
                "-H Connection:%close" "$!"
        fi
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
        bench_track $!
        wait_http "http://127.0.0.1:$port/" 30
        add_target "gunicorn $(gunicorn --version 2>&1 | awk '{print $NF}' | tr -d '()') -w $WORKERS ${gargs[*]}" \
            "http://127.0.0.1:$port/" "" "$!"
    fi

    measure_all
    base_rps=$(median_rps "$base")
    for i in "${!T_URL[@]}"; do
        ratio=
        if [ "$i" -ne "$base" ] && [ "$i" != "$one" ] && [ "${T_LABEL[$i]:0:5}" != "qilin" ]; then
            ratio=$(awk -v a="$base_rps" -v b="$(median_rps "$i")" 'BEGIN {printf "%.2f", a / b}')
        fi
        # shellcheck disable=SC2086
        row "${T_LABEL[$i]}" "$(median_rps "$i")" "$(median ${T_P50[$i]})" "$(median ${T_P99[$i]})" \
            "$(median ${T_CPU[$i]})" "$(sum_errs ${T_ERRS[$i]})" "$ratio"
    done
    if [ -n "$one" ] && [ -n "$plain" ]; then
        row "  one Qilin worker with the same threads / the plain JVM" "" "" "" "" "" \
            "$(awk -v a="$(median_rps "$one")" -v b="$(median_rps "$plain")" 'BEGIN {printf "%.2f", a / b}')"
    fi
    echo "   req/s of each round: $(for i in "${!T_URL[@]}"; do printf '[%s]' "${T_RPS[$i]# }"; done)"
    # stop this kind's servers before the next kind
    for pid in ${T_PIDS[*]}; do
        case " ${BENCH_MASTERS[*]} " in
            *" $pid "*) bench_stop_master "$pid" INT ;;
            *) kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true ;;
        esac
    done
done
echo
echo "err: wrk's connect, write and timeout errors plus non-2xx responses, over all rounds; read: wrk's read"
echo "errors, which include a server closing the connection after a complete response without saying"
echo "Connection: close (the JDK server does that when the client asked for close: those requests did succeed)."
print_load_after
