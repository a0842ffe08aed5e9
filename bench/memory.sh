#!/usr/bin/env bash
# Resident memory (VmRSS from /proc/<pid>/status) of the master and of each idle worker, per kind,
# JDK 17 and 25: 2 workers serving hello world, 200 requests, then 3 s idle. With the JVMs' default
# options (G1, heap ergonomics from this machine's RAM), and with a lean set of worker options.
# Gunicorn's master and workers for scale.
#
#   bench/memory.sh [KIND...]    MEMORY_JDKS="17 25" LEAN_OPTS="-XX:+UseSerialGC -Xmx64m ..."
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin

LEAN=${LEAN_OPTS:--XX:+UseSerialGC -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m}
read -r -a KINDS <<<"$(installed_kinds "${*:-$BENCH_KINDS}")"
JDKS=()
for v in ${MEMORY_JDKS:-17 25}; do
    case $v in
        17) JDKS+=("$JDK17_HOME") ;;
        25) [ -x "$JDK25_HOME/bin/java" ] && JDKS+=("$JDK25_HOME") ;;
    esac
done

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

print_machine
echo "== RSS in MiB: master, and each of 2 idle workers (after 200 requests, 3 s idle); hello world"
printf '%-10s %-4s %-9s %8s %8s %8s\n' kind JDK workers master worker1 worker2
for jh in "${JDKS[@]}"; do
    v=$(java_feature_of "$jh")
    for kind in "${KINDS[@]}"; do
        for variant in default lean; do
            port=$(free_port)
            # shellcheck disable=SC2207
            args=(-b "127.0.0.1:$port" -w 2 -k "$kind" $(kind_opts "$kind"))
            [ $variant = lean ] && args+=(--worker-jvm-opts "$LEAN")
            log=$BENCH_TMP/mem-$kind-$v-$variant.log
            bench_start_master m "$jh" "$log" "${args[@]}" io.qilin.examples.Hello
            wait_booted "$m" "$log" 2 "http://127.0.0.1:$port/"
            for _ in $(seq 1 200); do printf 'url = "http://127.0.0.1:%s/"\noutput = "/dev/null"\n' "$port"; done >"$BENCH_TMP/urls"
            curl -s -H 'Connection: close' -K "$BENCH_TMP/urls"
            sleep 3
            rss=()
            for w in $(bench_children "$m"); do rss+=("$(mib "$(vmrss_kib "$w")")"); done
            printf '%-10s %-4s %-9s %8s %8s %8s\n' "$kind" "$v" "$variant" "$(mib "$(vmrss_kib "$m")")" "${rss[0]:-?}" "${rss[1]:-?}"
            bench_stop_master "$m" INT
        done
    done
done
echo "lean = --worker-jvm-opts \"$LEAN\""
echo "(the master always runs with bin/qilin's own: -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xms8m -Xmx128m)"

if command -v gunicorn >/dev/null; then
    echo
    echo "== for scale: gunicorn $(gunicorn --version 2>&1 | awk '{print $NF}' | tr -d '()'), 2 workers, same WSGI hello"
    printf '%-10s %8s %8s %8s\n' kind master worker1 worker2
    for k in sync gthread; do
        port=$(free_port)
        gargs=(-k "$k")
        [ "$k" = gthread ] && gargs+=(--threads "$BENCH_THREADS")
        gunicorn -w 2 "${gargs[@]}" -b "127.0.0.1:$port" --chdir "$BENCH_DIR/src" --log-level warning hello_wsgi:app \
            2>"$BENCH_TMP/gunicorn.log" &
        g=$!
        bench_track $g
        wait_http "http://127.0.0.1:$port/" 30
        for _ in $(seq 1 200); do printf 'url = "http://127.0.0.1:%s/"\noutput = "/dev/null"\n' "$port"; done >"$BENCH_TMP/urls"
        curl -s -H 'Connection: close' -K "$BENCH_TMP/urls"
        sleep 3
        rss=()
        for w in $(bench_children "$g"); do rss+=("$(mib "$(vmrss_kib "$w")")"); done
        printf '%-10s %8s %8s %8s\n' "$k" "$(mib "$(vmrss_kib "$g")")" "${rss[0]:-?}" "${rss[1]:-?}"
        kill -TERM $g
        wait $g 2>/dev/null || true
    done
fi
print_load_after
