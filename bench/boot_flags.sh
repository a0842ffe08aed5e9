#!/usr/bin/env bash
# What worker JVM options do to worker boot time (TTIN to first response, as bench/boot.sh; median of
# BOOT_RUNS=5), through --worker-jvm-opts:
#   JDK 17: C1 only, SerialGC, both, -Xshare:off (what the default CDS archive saves),
#           AppCDS (a dynamic archive written by a training run: -XX:ArchiveClassesAtExit, then
#           -XX:SharedArchiveFile), and AppCDS with C1 + SerialGC
#   JDK 25: C1 only + SerialGC, the AOT cache of JEP 483/514 (training run with -XX:AOTCacheOutput,
#           then -XX:AOTCache), and the AOT cache with C1 + SerialGC (trained with the same options)
# A training run: one worker serves 100 requests of the test app, then the master gets TERM and the
# worker JVM writes its archive as it exits.
#
#   bench/boot_flags.sh [KIND...]    (default: gthread)   BOOT_FLAG_JDKS="17 25"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin

RUNS=${BOOT_RUNS:-5}
read -r -a KINDS <<<"$(installed_kinds "${*:-gthread}")"
FAST="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

# train JAVA_HOME KIND OPTS FILE: one worker with OPTS serves 100 requests and exits; OPTS make the
# worker JVM write FILE on exit.
train() {
    local jh=$1 kind=$2 opts=$3 file=$4 port log m
    port=$(free_port)
    log=$BENCH_TMP/train-$kind-$(basename "$file").log
    rm -f "$file"
    # shellcheck disable=SC2046
    bench_start_master m "$jh" "$log" -b "127.0.0.1:$port" -w 1 -k "$kind" $(kind_opts "$kind") --graceful-timeout 120 \
        --log-level debug --worker-jvm-opts "$opts" io.qilin.examples.TestApp
    wait_ready "$m" "$log" 1
    serve_training_requests "$port"
    bench_stop_master "$m" TERM
    for _ in $(seq 1 600); do
        kill -0 "$m" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$file" ] || { tail -n 20 "$log" >&2; die "the training run wrote no $file"; }
}

row() { printf '%-8s %-4s %-56s %7s %7s %4s   %s\n' "$@"; }

variant() { # JAVA_HOME KIND LABEL OPTS
    measure_boot "$1" "$2" "$4" "$RUNS"
    # shellcheck disable=SC2086
    row "$2" "$(java_feature_of "$1")" "$3" "$(median $BOOT_SAMPLES)" "$(median $BOOT_CPU)" "$BENCH_BG" "$BOOT_SAMPLES"
}

print_machine
echo "== worker boot with --worker-jvm-opts: TTIN to first response (ms, median of $RUNS; app TestApp, -w 1)"
echo "   cpu: CPU time of the new worker by its first response (median); bg: other work just before (% of CPUs)"
row kind JDK "--worker-jvm-opts" median cpu bg "samples (ms)"
for v in ${BOOT_FLAG_JDKS:-17 25}; do
    for kind in "${KINDS[@]}"; do
        case $v in
            17)
                jh=$JDK17_HOME
                variant "$jh" "$kind" "(none)" ""
                variant "$jh" "$kind" "-XX:TieredStopAtLevel=1" "-XX:TieredStopAtLevel=1"
                variant "$jh" "$kind" "-XX:+UseSerialGC" "-XX:+UseSerialGC"
                variant "$jh" "$kind" "$FAST" "$FAST"
                variant "$jh" "$kind" "-Xshare:off" "-Xshare:off"
                jsa=$BENCH_TMP/$kind-17.jsa
                train "$jh" "$kind" "-XX:ArchiveClassesAtExit=$jsa" "$jsa"
                variant "$jh" "$kind" "AppCDS: -XX:SharedArchiveFile=<$(du -m "$jsa" | cut -f1) MB>" "-XX:SharedArchiveFile=$jsa"
                jsa2=$BENCH_TMP/$kind-17-fast.jsa
                train "$jh" "$kind" "$FAST -XX:ArchiveClassesAtExit=$jsa2" "$jsa2"
                variant "$jh" "$kind" "AppCDS + $FAST" "$FAST -XX:SharedArchiveFile=$jsa2"
                ;;
            25)
                jh=$JDK25_HOME
                [ -x "$jh/bin/java" ] || continue
                variant "$jh" "$kind" "(none)" ""
                variant "$jh" "$kind" "$FAST" "$FAST"
                aot=$BENCH_TMP/$kind-25.aot
                train "$jh" "$kind" "-XX:AOTCacheOutput=$aot" "$aot"
                variant "$jh" "$kind" "AOT cache: -XX:AOTCache=<$(du -m "$aot" | cut -f1) MB>" "-XX:AOTCache=$aot"
                aot2=$BENCH_TMP/$kind-25-fast.aot
                train "$jh" "$kind" "$FAST -XX:AOTCacheOutput=$aot2" "$aot2"
                variant "$jh" "$kind" "AOT cache + $FAST" "$FAST -XX:AOTCache=$aot2"
                BOOT_AOT_DIR=$BENCH_TMP/aot-$kind
                mkdir -p "$BOOT_AOT_DIR"
                variant "$jh" "$kind" "(none), qilin --aot-cache auto" ""
                BOOT_AOT_DIR=
                ;;
        esac
    done
done
print_load_after
