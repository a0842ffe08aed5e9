#!/usr/bin/env bash
# Latency a user sees across reloads: an open-loop client (bench/src/bench/RateClient.java) sends a
# fixed rate of GET / over kept-alive connections (new ones when the server closes them) to 2 workers
# serving hello world, counting each request's latency from the time it was due, so a stalled
# connection is not hidden. After LATENCY_WARMUP s the master gets HUP, 3 times, LATENCY_GAP s apart.
# Printed per server: p50/p99/max of the LATENCY_STEADY s before the first HUP and of the
# LATENCY_WINDOW s after each HUP, their p99 ratio, and the failed requests. Gunicorn (Debian's;
# installed with apt-get when missing and this runs as root) gets the same load in the same run.
#
# The rate of each server is about a quarter of its hello-world maximum in bench/README.md
# (throughput.sh, 2 workers); LATENCY_RATE=300 gives every server the same rate instead.
#
#   bench/reload_latency.sh [KIND...]   LATENCY_RATE= LATENCY_CONNECTIONS=16 LATENCY_WARMUP=20
#                                       LATENCY_STEADY=8 LATENCY_WINDOW=12 LATENCY_GAP=14
#                                       LATENCY_QILIN_ARGS="..." (more qilin options, e.g.
#                                       "--warmup-requests 0")  LATENCY_GUNICORN=0 (no Gunicorn rows)
#
# LATENCY_STORM=1: a max-requests recycle storm instead of HUPs: qilin --max-requests 200
# --max-recycling 1, Gunicorn --max-requests 200, the same load for LATENCY_WARMUP + 3 x LATENCY_GAP s.
# Printed per server: p50/p99/max of every request due after the first LATENCY_WARMUP s, the failed
# ones, the recycles, and for Qilin the fewest workers serving (ready or recycling, from /metrics
# sampled every 100 ms).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin

CONNS=${LATENCY_CONNECTIONS:-16}
WARM=${LATENCY_WARMUP:-20}
STEADY=${LATENCY_STEADY:-8}
WINDOW=${LATENCY_WINDOW:-12}
GAP=${LATENCY_GAP:-14}
HUPS=3
STORM=${LATENCY_STORM:-0}
read -r -a KINDS <<<"$(installed_kinds "${*:-$BENCH_KINDS}")"
read -r -a EXTRA <<<"${LATENCY_QILIN_ARGS:-}"

# A quarter of the 2-worker hello-world req/s of bench/README.md (throughput.sh, 2026-12-01).
rate_of() {
    if [ -n "${LATENCY_RATE:-}" ]; then
        echo "$LATENCY_RATE"
        return
    fi
    case "$1" in
        sync) echo 4500 ;;
        gthread) echo 16000 ;;
        vertx) echo 14000 ;;
        gunicorn-sync) echo 2700 ;;
        gunicorn-gthread) echo 4300 ;;
    esac
}

GUNICORN=${LATENCY_GUNICORN:-1}
if [ "$GUNICORN" = 1 ] && ! command -v gunicorn >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "(installing Debian's gunicorn: apt-get install -y gunicorn)"
        if ! apt-get install -y -q gunicorn >"$BENCH_TMP/apt.log" 2>&1; then
            apt-get update -q >>"$BENCH_TMP/apt.log" 2>&1 || true
            apt-get install -y -q gunicorn >>"$BENCH_TMP/apt.log" 2>&1 || tail -n 3 "$BENCH_TMP/apt.log"
        fi
    fi
    command -v gunicorn >/dev/null || { echo "(no gunicorn: its rows are skipped; apt-get install -y gunicorn)"; GUNICORN=0; }
fi

print_machine
compile_bench_classes "$JDK17_HOME"
if [ "$STORM" = 1 ]; then
    echo "== --max-requests 200 recycle storm under a fixed rate: $CONNS kept-alive client connections, 2 workers,"
    echo "   hello world, JDK 17; latency from each request's scheduled send time, in ms, of the requests due"
    echo "   after the first ${WARM} s; qilin with --max-recycling 1"
    [ ${#EXTRA[@]} -gt 0 ] && echo "   qilin options added: ${EXTRA[*]}"
    python3 "$BENCH_DIR/src/reload_latency_stats.py" storm-header
else
    echo "== HUP x$HUPS under a fixed rate: $CONNS kept-alive client connections, 2 workers, hello world, JDK 17"
    echo "   latency from each request's scheduled send time, in ms; before = the ${STEADY} s before the first HUP,"
    echo "   after = the ${WINDOW} s after each HUP; p99 x = p99 after / p99 before"
    [ ${#EXTRA[@]} -gt 0 ] && echo "   qilin options added: ${EXTRA[*]}"
    python3 "$BENCH_DIR/src/reload_latency_stats.py" header
fi

# fewest_serving METRICS_PORT UNTIL_EPOCH OUT: samples Qilin's /metrics every 100 ms until UNTIL_EPOCH and
# writes the fewest workers serving (ready or recycling) it saw to OUT.
fewest_serving() {
    local fewest=999 now serving
    while now=$(date +%s) && [ "$now" -lt "$2" ]; do
        serving=$(curl -s --max-time 1 "http://127.0.0.1:$1/metrics" \
            | awk '/^qilin_workers\{state="(ready|recycling)"\}/ {n += $2} END {print n + 0}')
        [ -n "$serving" ] && [ "$serving" -lt "$fewest" ] && fewest=$serving
        sleep 0.1
    done
    echo "$fewest" >"$3"
}

# run_load LABEL PID PORT RATE LOG [METRICS_PORT]: the load and the HUPs (or, with LATENCY_STORM=1, the
# recycle storm) against a running server whose master is PID.
run_load() {
    local label=$1 pid=$2 port=$3 rate=$4 log=$5 metrics=${6:-} samples hups client i total sampler fewest
    samples=$BENCH_TMP/samples-$label
    hups=$BENCH_TMP/hups-$label
    : >"$hups"
    total=$((WARM + HUPS * GAP))
    "$JDK17_HOME/bin/java" -cp "$BENCH_TMP/classes" bench.RateClient 127.0.0.1 "$port" / "$CONNS" "$rate" "$total" "$samples" &
    client=$!
    bench_track $client
    if [ "$STORM" = 1 ]; then
        fewest=$BENCH_TMP/fewest-${label// /_}
        echo "-" >"$fewest"
        if [ -n "$metrics" ]; then
            fewest_serving "$metrics" $(($(date +%s) + total)) "$fewest" &
            sampler=$!
            bench_track $sampler
        fi
        sleep "$WARM"
        echo "$EPOCHREALTIME" >"$hups"
        wait $client || die "the load client failed"
        [ -n "$metrics" ] && wait "$sampler"
        python3 "$BENCH_DIR/src/reload_latency_stats.py" storm "$samples" "$hups" "$label" "$rate" \
            "$(grep -cE 'Recycling worker|Autorestarting worker' "$log" || true)" "$(cat "$fewest")"
        return
    fi
    sleep "$WARM"
    for i in $(seq 1 $HUPS); do
        echo "$EPOCHREALTIME" >>"$hups"
        kill -HUP "$pid"
        sleep "$GAP"
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "$label: the master exited"; }
    done
    wait $client || die "the load client failed"
    python3 "$BENCH_DIR/src/reload_latency_stats.py" "$samples" "$hups" "$label" "$rate" "$STEADY" "$WINDOW"
}

NOTES=()
for kind in "${KINDS[@]}"; do
    quiet_briefly
    # shellcheck disable=SC2207
    kopts=($(kind_opts "$kind"))
    port=$(free_port)
    log=$BENCH_TMP/latency-$kind.log
    storm=()
    metrics=
    if [ "$STORM" = 1 ]; then
        metrics=$(free_port)
        storm=(--max-requests 200 --max-recycling 1 --metrics-bind "127.0.0.1:$metrics")
    fi
    bench_start_master m "$JDK17_HOME" "$log" -b "127.0.0.1:$port" -w 2 -k "$kind" "${kopts[@]}" "${storm[@]}" \
        "${EXTRA[@]}" io.qilin.examples.Hello
    wait_booted "$m" "$log" 2 "http://127.0.0.1:$port/"
    run_load "qilin $kind ${kopts[*]}" "$m" "$port" "$(rate_of "$kind")" "$log" "$metrics"
    done_count=$(grep -c 'Reload complete' "$log" || true)
    [ "$STORM" = 1 ] || [ "$done_count" -eq $HUPS ] || NOTES+=("qilin $kind: $done_count of $HUPS reloads completed; see the log with BENCH_KEEP=1")
    grep -q 'ERROR\|WARN' "$log" && NOTES+=("qilin $kind log: $(grep 'ERROR\|WARN' "$log" | head -n 1)")
    bench_stop_master "$m" TERM
done

if [ "$GUNICORN" = 1 ]; then
    for gk in sync gthread; do
        quiet_briefly
        port=$(free_port)
        log=$BENCH_TMP/latency-gunicorn-$gk.log
        gargs=(-w 2 -k "$gk")
        [ "$gk" = gthread ] && gargs+=(--threads "$BENCH_THREADS")
        [ "$STORM" = 1 ] && gargs+=(--max-requests 200)
        gunicorn "${gargs[@]}" -b "127.0.0.1:$port" --chdir "$BENCH_DIR/src" --log-level info hello_wsgi:app \
            >"$log" 2>&1 &
        g=$!
        BENCH_MASTERS+=("$g")
        wait_http "http://127.0.0.1:$port/"
        sleep 1
        run_load "gunicorn $(gunicorn --version 2>&1 | awk '{print $NF}' | tr -d '()') ${gargs[*]}" "$g" "$port" \
            "$(rate_of "gunicorn-$gk")" "$log"
        bench_stop_master "$g" TERM
    done
fi
for n in "${NOTES[@]}"; do echo "note: $n"; done
print_load_after
