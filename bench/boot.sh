#!/usr/bin/env bash
# Worker boot time per kind, JDK 17 and 25: from the master's spawn (TTIN) to the first response the
# new worker serves, median of 5. Then where a worker's boot goes (class-load timestamps), and the floor
# any JVM server pays: a do-nothing main, the JDK's built-in server answering one request to itself,
# and Logback configured the way workers configure it.
#
#   bench/boot.sh [KIND...]          (default: sync gthread vertx; kinds not installed are skipped)
#   BOOT_RUNS=5 BOOT_JDKS="17 25" WORKER_JVM_OPTS="..." bench/boot.sh
#   BOOT_AOT=0: no "aot" rows (the same boot with --aot-cache auto, once its training run made the cache,
#   each run alternating with one without; the ratios follow the table). BOOT_DETAILS=0: the table only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin

RUNS=${BOOT_RUNS:-5}
OPTS=${WORKER_JVM_OPTS:-}
read -r -a KINDS <<<"$(installed_kinds "${*:-$BENCH_KINDS}")"
JDKS=()
RATIOS=()
for v in ${BOOT_JDKS:-17 25}; do
    case $v in
        17) JDKS+=("$JDK17_HOME") ;;
        25) if [ -x "$JDK25_HOME/bin/java" ]; then JDKS+=("$JDK25_HOME"); else echo "(no JDK 25 at $JDK25_HOME)" >&2; fi ;;
        *) JDKS+=("$v") ;;
    esac
done

print_machine
echo "== worker boot: TTIN to the first response served by the new worker (ms, median of $RUNS)"
echo "   one master, -w 1, app io.qilin.examples.TestApp; the old worker is SIGSTOPped during each run"
[ -n "$OPTS" ] && echo "   --worker-jvm-opts \"$OPTS\""
echo "   cpu: CPU time the new worker had used by its first response (all threads), median"
echo "   bg: how busy the machine was with other work just before (% of all CPUs)"
printf '%-10s %-7s %7s %7s %4s   %s\n' kind JDK median cpu bg "samples (ms)"
row() { # KIND JDK-LABEL SAMPLES CPUS
    # shellcheck disable=SC2086
    printf '%-10s %-7s %7s %7s %4s   %s\n' "$1" "$2" "$(median $3)" "$(median $4)" "$BENCH_BG" "$3"
}
for jh in "${JDKS[@]}"; do
    for kind in "${KINDS[@]}"; do
        jdk=$(java_feature_of "$jh")
        if [ "${BOOT_AOT:-1}" != 1 ]; then
            measure_boot "$jh" "$kind" "$OPTS" "$RUNS"
            row "$kind" "$jdk" "$BOOT_SAMPLES" "$BOOT_CPU"
            continue
        fi
        # one boot without, one with, in turn: both see the same load. The first master with the cache
        # trains it; the later ones find it in the same directory.
        aot_dir=$(mktemp -d "$BENCH_TMP/aot-XXXX")
        none=() none_cpu=() aot=() aot_cpu=()
        for _ in $(seq 1 "$RUNS"); do
            measure_boot "$jh" "$kind" "$OPTS" 1
            none+=("$BOOT_SAMPLES") none_cpu+=("$BOOT_CPU")
            BOOT_AOT_DIR=$aot_dir
            measure_boot "$jh" "$kind" "$OPTS" 1
            BOOT_AOT_DIR=
            aot+=("$BOOT_SAMPLES") aot_cpu+=("$BOOT_CPU")
        done
        row "$kind" "$jdk" "${none[*]}" "${none_cpu[*]}"
        row "$kind" "$jdk aot" "${aot[*]}" "${aot_cpu[*]}"
        # shellcheck disable=SC2086
        RATIOS+=("$(awk -v k="$kind" -v j="$jdk" -v a="$(median ${aot[*]})" -v b="$(median ${none[*]})" \
            -v c="$(median ${aot_cpu[*]})" -v d="$(median ${none_cpu[*]})" \
            'BEGIN {printf "%s, JDK %s: --aot-cache auto / none = %.2f wall, %.2f CPU (medians)", k, j, a / b, c / d}')")
    done
done
for r in "${RATIOS[@]}"; do echo "   $r"; done
[ "${BOOT_DETAILS:-1}" = 1 ] || { print_load_after; exit 0; }

echo
echo "== where the boot goes: one more run with -Xlog:class+load (uptime stamps; logging slows it a little)"
echo "   jvm: JVM start to WorkerMain loaded; logging: WorkerMain to WorkerKinds (logback configured);"
echo "   kind+app: to the app class loaded; serve: from there to the first response (total - the rest)"
printf '%-10s %-6s %7s %7s %9s %9s %7s %8s\n' kind JDK total jvm logging kind+app serve classes
for jh in "${JDKS[@]}"; do
    for kind in "${KINDS[@]}"; do
        measure_boot "$jh" "$kind" "-Xlog:class+load:file=$BENCH_TMP/cl-%p.log:uptime" 1
        f=$BENCH_TMP/cl-$BOOT_LAST_PID.log
        at() { awk -v c="$1" '$2 == c {gsub(/[][s]/, "", $1); print $1 * 1000; exit}' "$f"; }
        a=$(at io.qilin.worker.WorkerMain)
        b=$(at io.qilin.worker.internal.WorkerKinds)
        c=$(at io.qilin.examples.TestApp)
        awk -v k="$kind" -v j="$(java_feature_of "$jh")" -v t="$BOOT_SAMPLES" -v a="$a" -v b="$b" -v c="$c" -v n="$(wc -l <"$f")" \
            'BEGIN {printf "%-10s %-6s %7d %7.0f %9.0f %9.0f %7.0f %8d\n", k, j, t, a, b - a, c - b, t - c, n}'
    done
done

echo
echo "== floor: a plain JVM (hyperfine, ms, median of $RUNS after 1 warm-up)"
compile_bench_classes "$JDK17_HOME"
printf '%-72s %-4s %7s\n' "what" JDK median
for jh in "${JDKS[@]}"; do
    for what in "Noop:java, an empty main (start + exit)" \
        "FirstResponse:java, JDK HttpServer + Hello, one request to itself" \
        "LogInit:java, Logback as Qilin configures it (in code), one log call" \
        "LogInit:java, the same from an XML file (conf/logback-example.xml)"; do
        cls=${what%%:*}
        case $what in
            *"XML file"*) props="-Dlogback.configurationFile=$QILIN_HOME/conf/logback-example.xml" ;;
            *) props="-Dqilin.bench=1" ;;
        esac
        hyperfine -N -w 1 -r "$RUNS" --export-json "$BENCH_TMP/h.json" \
            "$jh/bin/java $props -cp $BENCH_TMP/classes:$QILIN_HOME/lib/*:$QILIN_HOME/examples/* bench.$cls" >/dev/null 2>&1
        ms=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$BENCH_TMP/h.json")
        printf '%-72s %-4s %7s\n' "${what#*:}" "$(java_feature_of "$jh")" "$ms"
    done
done
print_load_after
