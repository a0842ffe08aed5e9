#!/usr/bin/env bash
# Reload (HUP) under load: a closed-loop client (bench/src/bench/LoadClient.java, 4 connections) runs
# for 20 s against 2 workers serving hello world; the master gets HUP 3 times (at 4 s, then 2 s after
# each reload completes). Reports the failed requests (socket errors, non-2xx) and the latency before
# the first HUP vs during the reloads (HUP to "Reload complete").
#   close:     a new connection per request: every request goes through the shared listen queue
#   keepalive: connections reused while the server allows (kinds with keep-alive only, not sync)
#
#   bench/reload_under_load.sh [KIND...]    RELOAD_SECONDS=20 RELOAD_CONNECTIONS=4
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin

SECONDS_TOTAL=${RELOAD_SECONDS:-20}
CONNS=${RELOAD_CONNECTIONS:-4}
HUPS=3
read -r -a KINDS <<<"$(installed_kinds "${*:-$BENCH_KINDS}")"

print_machine
compile_bench_classes "$JDK17_HOME"
echo "== HUP x$HUPS under load: $CONNS client connections for ${SECONDS_TOTAL}s, qilin -w 2, hello world, JDK 17"
for kind in "${KINDS[@]}"; do
    modes="close"
    [ "$kind" != sync ] && modes="close keepalive"
    for mode in $modes; do
        # shellcheck disable=SC2207
        kopts=($(kind_opts "$kind"))
        port=$(free_port)
        log=$BENCH_TMP/reload-$kind-$mode.log
        bench_start_master m "$JDK17_HOME" "$log" -b "127.0.0.1:$port" -w 2 -k "$kind" "${kopts[@]}" io.qilin.examples.Hello
        wait_booted "$m" "$log" 2 "http://127.0.0.1:$port/"
        samples=$BENCH_TMP/samples-$kind-$mode
        windows=$BENCH_TMP/windows-$kind-$mode
        : >"$windows"
        "$JDK17_HOME/bin/java" -cp "$BENCH_TMP/classes" bench.LoadClient 127.0.0.1 "$port" / "$CONNS" "$SECONDS_TOTAL" "$mode" "$samples" &
        client=$!
        bench_track $client
        sleep 4
        for i in $(seq 1 $HUPS); do
            t_hup=$EPOCHREALTIME
            kill -HUP "$m"
            while [ "$(grep -c 'Reload complete' "$log" || true)" -lt "$i" ]; do
                grep -q 'Reload failed\|cannot boot\|keeps serving' "$log" && { tail -n 20 "$log" >&2; die "reload $i failed"; }
                kill -0 "$m" 2>/dev/null || { cat "$log" >&2; die "master exited"; }
                sleep 0.02
            done
            echo "$t_hup $EPOCHREALTIME" >>"$windows"
            sleep 2
        done
        wait $client || die "the load client failed"
        bench_stop_master "$m" TERM
        python3 "$BENCH_DIR/src/reload_stats.py" "$samples" "$windows" "$kind, $mode"
        if grep -q 'ERROR\|WARN' "$log"; then
            echo "  master log warnings/errors:"
            grep 'ERROR\|WARN' "$log" | head -n 5 | sed 's/^/    /'
        fi
        echo
    done
done
print_load_after
