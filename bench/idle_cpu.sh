#!/usr/bin/env bash
# CPU an idle master (and its idle workers) burns: utime+stime from /proc/<pid>/stat before and after
# 60 s of no traffic, as % of one core. One master per kind and JDK (2 workers each), all idle during
# the same 60 s, and a Gunicorn master (sync, 2 workers) for scale.
#
#   bench/idle_cpu.sh [KIND...]    IDLE_SECONDS=60 IDLE_JDKS="17 25"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin

IDLE=${IDLE_SECONDS:-60}
TCK=$(getconf CLK_TCK)
read -r -a KINDS <<<"$(installed_kinds "${*:-$BENCH_KINDS}")"
JDKS=()
for v in ${IDLE_JDKS:-17 25}; do
    case $v in
        17) JDKS+=("$JDK17_HOME") ;;
        25) [ -x "$JDK25_HOME/bin/java" ] && JDKS+=("$JDK25_HOME") ;;
    esac
done

# utime+stime in clock ticks (fields 14 and 15, counted after the parenthesised name)
ticks() { sed 's/.*) //' /proc/"$1"/stat | awk '{print $12 + $13}'; }
pct() { awk -v t="$1" -v s="$IDLE" -v hz="$TCK" 'BEGIN {printf "%.3f", 100 * t / hz / s}'; }

print_machine
labels=()
masters=()
for jh in "${JDKS[@]}"; do
    v=$(java_feature_of "$jh")
    for kind in "${KINDS[@]}"; do
        port=$(free_port)
        # shellcheck disable=SC2046
        bench_start_master m "$jh" "$BENCH_TMP/idle-$kind-$v.log" -b "127.0.0.1:$port" -w 2 -k "$kind" \
            $(kind_opts "$kind") io.qilin.examples.Hello
        wait_booted "$m" "$BENCH_TMP/idle-$kind-$v.log" 2 "http://127.0.0.1:$port/"
        labels+=("qilin -k $kind, JDK $v")
        masters+=("$m")
    done
done
if command -v gunicorn >/dev/null; then
    port=$(free_port)
    gunicorn -w 2 -k sync -b "127.0.0.1:$port" --chdir "$BENCH_DIR/src" --log-level warning hello_wsgi:app \
        2>"$BENCH_TMP/gunicorn.log" &
    g=$!
    bench_track $g
    wait_http "http://127.0.0.1:$port/" 30
    labels+=("gunicorn $(gunicorn --version 2>&1 | awk '{print $NF}' | tr -d '()') -k sync")
    masters+=("$g")
fi
sleep 5 # let the JITs and the first GCs settle

declare -A before=()
for m in "${masters[@]}"; do
    before[$m]=$(ticks "$m")
    for w in $(bench_children "$m"); do before[$w]=$(ticks "$w"); done
done
echo "== idle CPU over ${IDLE}s, % of one core (clock tick $((1000 / TCK)) ms = $(pct 1)% over ${IDLE}s)"
echo "   measuring $((${#masters[@]})) idle servers at once, 2 workers each..."
sleep "$IDLE"
printf '%-28s %8s %8s %8s %9s\n' server master worker1 worker2 threads
for i in "${!masters[@]}"; do
    m=${masters[$i]}
    ws=()
    for w in $(bench_children "$m"); do
        if [ -n "${before[$w]:-}" ]; then ws+=("$(pct $(($(ticks "$w") - ${before[$w]})))"); else ws+=("new"); fi
    done
    printf '%-28s %8s %8s %8s %9s\n' "${labels[$i]}" "$(pct $(($(ticks "$m") - ${before[$m]})))" "${ws[0]:-?}" "${ws[1]:-?}" \
        "$(awk '/^Threads:/ {print $2}' /proc/"$m"/status)"
done
echo "(threads: the master's thread count; \"new\": a worker that was not there at the start)"
for f in "$BENCH_TMP"/idle-*.log; do
    if grep -q 'WARN\|ERROR' "$f"; then
        echo "warnings in $(basename "$f" .log):"
        grep 'WARN\|ERROR' "$f" | head -n 8 | sed 's/^/  /'
    fi
done
print_load_after
