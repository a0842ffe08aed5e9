# Shared helpers of the bench/ scripts; sourced, never run. Bash, loopback only.
#
# Every process a script starts goes through bench_track (or bench_start_master), and the EXIT trap
# kills exactly those (and the children of the masters among them), by pid. BENCH_KEEP=1 keeps the
# temporary directory (master logs, load-client samples) for a look afterwards.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_DIR=$(dirname "$BENCH_DIR")
QILIN_HOME=${QILIN_HOME:-$REPO_DIR/distribution/target/qilin}
QILIN=$QILIN_HOME/bin/qilin
JDK17_HOME=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
# The first JDK 25 under /usr/lib/jvm (by its release file) unless JDK25_HOME says where.
find_jdk() {
    local home
    for home in /usr/lib/jvm/*; do
        [ -L "$home" ] && continue
        if [ -x "$home/bin/java" ] && grep -q "^JAVA_VERSION=\"$1[.\"]" "$home/release" 2>/dev/null; then
            echo "$home"
            return
        fi
    done
}
JDK25_HOME=${JDK25_HOME:-$(find_jdk 25)}
# The kinds to measure: a space-separated list; a kind that is not installed is skipped.
BENCH_KINDS=${BENCH_KINDS:-sync gthread vertx}
# Task threads per gthread worker; event loops per vertx worker (2 workers x 1 loop = this machine's 2 CPUs).
BENCH_THREADS=${BENCH_THREADS:-8}
BENCH_VERTX_LOOPS=${BENCH_VERTX_LOOPS:-1}

BENCH_PIDS=()
BENCH_MASTERS=()
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/qilin-bench.XXXXXX")

# Every process below this shell, deepest last (their pids, read from /proc).
bench_descendants() {
    local pid kid
    for kid in $(bench_children "${1:-$$}"); do
        echo "$kid"
        bench_descendants "$kid"
    done
}

bench_cleanup() {
    local pid kids rest
    trap - EXIT INT TERM ERR
    rest=$(bench_descendants $$ || true)
    for pid in "${BENCH_MASTERS[@]}"; do
        # the workers die with their master (parent-death pipe); stop them too in case the master is stopped
        kids=$(bench_children "$pid" || true)
        kill -CONT $kids "$pid" 2>/dev/null || true
        kill -INT "$pid" 2>/dev/null || true
        [ -n "$kids" ] && kill -KILL $kids 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 0.3
    for pid in "${BENCH_PIDS[@]}" "${BENCH_MASTERS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    # anything else this script started and that is still there (e.g. from a subshell)
    for pid in $rest; do
        [ -d /proc/"$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "(logs and samples kept in $BENCH_TMP)" >&2
    else
        rm -rf "$BENCH_TMP"
    fi
}
trap bench_cleanup EXIT
trap 'echo "bench: interrupted (SIGINT)" >&2; exit 130' INT
trap 'echo "bench: terminated (SIGTERM)" >&2; exit 143' TERM
set -E
trap 'echo "bench: error: \"$BASH_COMMAND\" failed (line $LINENO of ${BASH_SOURCE[0]##*/})" >&2' ERR

bench_track() { BENCH_PIDS+=("$1"); }

die() { echo "bench: error: $*" >&2; exit 1; }

# A free TCP port on 127.0.0.1, chosen by the kernel now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The child pids of a process, space-separated (empty if none). Never fails: a thread may end between
# the glob and cat, and the process itself may be gone.
bench_children() {
    local pid=$1
    { cat /proc/"$pid"/task/*/children 2>/dev/null || true; } | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# Nanoseconds since the epoch, without a fork.
now_ns() {
    local t=${EPOCHREALTIME/./}
    echo $((10#$t * 1000))
}

java_version_of() { # JAVA_HOME -> one line
    "$1/bin/java" -version 2>&1 | sed -n '2p'
}

java_feature_of() {
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
}

print_machine() {
    local mem cpu
    mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    echo "== machine"
    echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "host:    $(uname -sr), $(nproc) CPUs ($cpu), $mem RAM"
    echo "JDK 17:  $(java_version_of "$JDK17_HOME") ($JDK17_HOME)"
    if [ -x "$JDK25_HOME/bin/java" ]; then
        echo "JDK 25:  $(java_version_of "$JDK25_HOME") ($JDK25_HOME)"
    fi
    echo "qilin:   $("$QILIN" --version 2>/dev/null | head -n 1)"
    echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
    wait_quiet
    echo
}

# At the end of a script: how busy the machine was meanwhile (others may share it).
print_load_after() {
    echo
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; includes this script's own load)"
}

check_qilin() {
    [ -x "$QILIN" ] || die "no distribution at $QILIN_HOME; build it: cd $REPO_DIR && mvn -B -q install -DskipTests"
}

# Whether a worker kind is installed: the master checks -k before it binds, so a bind that cannot
# succeed (a unix socket in a directory that does not exist) tells the two cases apart without serving.
kind_installed() {
    local out
    out=$(timeout 20 "$QILIN" -k "$1" -b "unix:$BENCH_TMP/no-such-dir/s" io.qilin.examples.Hello 2>&1 || true)
    case "$out" in
        *"no worker kind named"*) return 1 ;;
        *) return 0 ;;
    esac
}

# The installed kinds among BENCH_KINDS (or the list given), printing a note for each one skipped.
installed_kinds() {
    local k out=()
    for k in ${1:-$BENCH_KINDS}; do
        if kind_installed "$k"; then
            out+=("$k")
        else
            echo "(skipping worker kind '$k': not installed in $QILIN_HOME/lib)" >&2
        fi
    done
    echo "${out[@]}"
}

# Options a kind needs to be comparable (task threads, event loops).
kind_opts() {
    case "$1" in
        gthread) echo "--threads $BENCH_THREADS" ;;
        vertx) echo "--threads $BENCH_VERTX_LOOPS" ;;
        *) echo "" ;;
    esac
}

# bench_start_master VAR JAVA_HOME LOGFILE ARGS... : starts a master in the background, its pid in VAR.
bench_start_master() {
    local __var=$1 jh=$2 log=$3
    shift 3
    JAVA_HOME=$jh "$QILIN" "$@" >"$log" 2>&1 &
    local pid=$!
    BENCH_MASTERS+=("$pid")
    printf -v "$__var" '%s' "$pid"
}

# Stops a master gracefully (INT: quick) and waits for it.
bench_stop_master() {
    local pid=$1 sig=${2:-INT} i
    kill -"$sig" "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Waits until URL answers 2xx (up to SECONDS, default 60).
wait_http() {
    local url=$1 limit=${2:-60} end
    end=$(($(date +%s) + limit))
    while [ "$(date +%s)" -lt "$end" ]; do
        if curl -fs --max-time 2 -o /dev/null "$url"; then
            return 0
        fi
        sleep 0.05
    done
    die "$url did not answer within ${limit}s"
}

# Waits until a master has N children that each answered ready in the log ("Worker (pid:N) is ready").
wait_ready() {
    local master=$1 log=$2 n=$3 limit=${4:-60} end kids ready k
    end=$(($(date +%s) + limit))
    while [ "$(date +%s)" -lt "$end" ]; do
        kill -0 "$master" 2>/dev/null || { cat "$log" >&2; die "master $master exited"; }
        kids=$(bench_children "$master")
        ready=0
        for k in $kids; do
            grep -q "Worker (pid:$k) is ready" "$log" && ready=$((ready + 1))
        done
        [ "$ready" -ge "$n" ] && return 0
        sleep 0.05
    done
    cat "$log" >&2
    die "master $master: $n workers not ready within ${limit}s"
}

# The median of numbers, one per argument.
median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# Waits until every thread of the given processes is in the stopped state (T): SIGSTOP takes effect
# only when each thread next runs, and a thread still running could accept a connection meanwhile.
wait_stopped() {
    local pid i running
    for pid in "$@"; do
        for i in $(seq 1 1000); do
            # the state follows the name in parentheses, which may hold spaces ("C2 CompilerThre")
            running=$({ cat /proc/"$pid"/task/*/stat 2>/dev/null || true; } | sed 's/.*) //' | awk '$1 != "T" && $1 != "t"' | wc -l)
            [ "$running" -eq 0 ] && break
            sleep 0.005
        done
    done
}

# CPU time (utime + stime, all threads) a process has used so far, in ms.
cpu_ms() {
    { sed 's/.*) //' /proc/"$1"/stat 2>/dev/null || echo "- - - - - - - - - - - 0 0"; } |
        awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($12 + $13) * 1000 / hz}'
}

vmrss_kib() { awk '/^VmRSS:/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0; }

# Compiles bench/src/bench/*.java into BENCH_TMP/classes against the distribution's jars, and
# bench/src/vertx/bench/*.java when Vert.x is in lib/.
compile_bench_classes() {
    local jh=${1:-$JDK17_HOME} srcs
    mkdir -p "$BENCH_TMP/classes"
    srcs=("$BENCH_DIR"/src/bench/*.java)
    if compgen -G "$QILIN_HOME/lib/vertx-core-*.jar" >/dev/null; then
        srcs+=("$BENCH_DIR"/src/vertx/bench/*.java)
    fi
    "$jh/bin/javac" -nowarn -d "$BENCH_TMP/classes" -cp "$QILIN_HOME/lib/*:$QILIN_HOME/examples/*" "${srcs[@]}"
}

# measure_boot JAVA_HOME KIND WORKER_JVM_OPTS RUNS: worker boot time, spawn to first response served,
# in milliseconds; leaves the samples in BOOT_SAMPLES, and the CPU time (user + system, all threads)
# the new worker had used by then in BOOT_CPU: less sensitive to other load on the machine than the
# wall time (run it in this shell, not in $(...): a master
# started in a subshell would escape the cleanup). One master with one worker serving the test app;
# each run: SIGSTOP the serving worker (so it accepts nothing), note the time, TTIN, and send one
# GET /pid at once: it waits in the listen queue until the new worker accepts and answers it. Stop the
# clock when the answer (the new worker's pid) arrives; CONT, TTOU (retires the older worker), repeat.
measure_boot() {
    local jh=$1 kind=$2 opts=$3 runs=$4 port log m i olds pid t0 t1 cpu kids samples=() cpus=() args
    quiet_briefly
    port=$(free_port)
    log=$BENCH_TMP/boot-$kind-$(java_feature_of "$jh")-$RANDOM.log
    # shellcheck disable=SC2046
    args=(-b "127.0.0.1:$port" -w 1 -k "$kind" $(kind_opts "$kind") --log-level debug)
    if [ -n "$opts" ]; then args+=(--worker-jvm-opts "$opts"); fi
    if [ -n "${BOOT_AOT_DIR:-}" ]; then args+=(--aot-cache auto --worker-tmp-dir "$BOOT_AOT_DIR"); fi
    bench_start_master m "$jh" "$log" "${args[@]}" io.qilin.examples.TestApp
    wait_ready "$m" "$log" 1
    if [ -n "${BOOT_AOT_DIR:-}" ]; then train_aot_cache "$m" "$port" "$log"; fi
    for i in $(seq 1 "$runs"); do
        olds=$(bench_children "$m")
        # shellcheck disable=SC2086
        kill -STOP $olds
        wait_stopped $olds
        t0=$EPOCHREALTIME
        kill -TTIN "$m"
        pid=$(curl -s --max-time 60 "http://127.0.0.1:$port/pid" || true)
        t1=$EPOCHREALTIME
        cpu=$(cpu_ms "$pid")
        # shellcheck disable=SC2086
        kill -CONT $olds
        case " $olds " in
            *" $pid "*) die "the request was answered by an old worker ($pid); see $log" ;;
        esac
        [ -n "$pid" ] || { cat "$log" >&2; die "no answer from the new worker"; }
        samples+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", (b - a) * 1000}')")
        cpus+=("$cpu")
        kill -TTOU "$m"
        for _ in $(seq 1 200); do
            kids=$(bench_children "$m")
            [ "$kids" = "$pid" ] && break
            sleep 0.05
        done
        [ "$kids" = "$pid" ] || die "master $m did not go back to one worker (children: $kids)"
        sleep 0.3
    done
    if grep -Eiq 'warning|error' "$log"; then
        echo "(warnings in the log of $kind with '$opts':)" >&2
        grep -Ei 'warning|error' "$log" | sort -u | head -n 5 >&2
    fi
    bench_stop_master "$m"
    BOOT_SAMPLES="${samples[*]}"
    BOOT_CPU="${cpus[*]}"
    BOOT_LAST_PID=$pid
}

# serve_training_requests PORT: 100 requests, one connection each, for a JVM that records its classes.
serve_training_requests() {
    for _ in $(seq 1 100); do printf 'url = "http://127.0.0.1:%s/pid"\noutput = "/dev/null"\n' "$1"; done >"$BENCH_TMP/urls"
    curl -s -H 'Connection: close' -K "$BENCH_TMP/urls"
}

# train_aot_cache MASTER PORT LOG: with --aot-cache auto and no cache yet, the master starts a training
# run once the first worker is ready; waits (up to 5 min) until it says the cache is ready. Returns at
# once when the cache was there (made by an earlier master with the same BOOT_AOT_DIR).
train_aot_cache() {
    local m=$1 port=$2 log=$3
    sleep 0.5 # the training run starts as the worker is reported ready
    if ! grep -q "training run" "$log" && ls "$BOOT_AOT_DIR"/qilin-*/aot/qilin-*.[aj]* >/dev/null 2>&1; then
        return 0
    fi
    for _ in $(seq 1 3000); do
        grep -q "AOT cache ready" "$log" && return 0
        grep -q "AOT cache: .*fail\|AOT cache: cannot" "$log" && break
        kill -0 "$m" 2>/dev/null || break
        sleep 0.1
    done
    die "no AOT cache was made in $BOOT_AOT_DIR; see $log"
}

# The share of all CPUs busy (user+nice+system+irq+softirq+steal) over SECONDS, in percent.
cpu_busy_pct() {
    local a b
    a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    sleep "${1:-2}"
    b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0)}'
}

# Other people's work on this machine skews every figure: wait (up to BENCH_QUIET_WAIT s, default 30)
# for the CPUs to be nearly idle, and say what was seen.
wait_quiet() {
    local limit=${BENCH_QUIET_WAIT:-30} start busy
    start=$(date +%s)
    while :; do
        busy=$(cpu_busy_pct 2)
        if [ "$busy" -le 10 ]; then
            echo "background CPU before the run: ${busy}% of all CPUs"
            return 0
        fi
        if [ $(($(date +%s) - start)) -ge "$limit" ]; then
            echo "WARNING: the machine is busy with other work (${busy}% of all CPUs before the run); figures are noisy"
            return 0
        fi
        sleep 3
    done
}

# At --log-level info (debug logs every sync request, which would cost throughput) the master does not
# log readiness: wait for N children that each logged "Booting worker", for URL to answer, then 1 s more.
wait_booted() {
    local master=$1 log=$2 n=$3 url=$4 limit=${5:-60} end kids booted k
    end=$(($(date +%s) + limit))
    while :; do
        [ "$(date +%s)" -lt "$end" ] || { cat "$log" >&2; die "master $master: $n workers not booted within ${limit}s"; }
        kill -0 "$master" 2>/dev/null || { cat "$log" >&2; die "master $master exited"; }
        kids=$(bench_children "$master")
        booted=0
        for k in $kids; do
            grep -q "Booting worker with pid: $k\$" "$log" && booted=$((booted + 1))
        done
        [ "$booted" -ge "$n" ] && break
        sleep 0.05
    done
    wait_http "$url" "$limit"
    sleep 1
}

# Before one configuration: wait up to BENCH_QUIET_EACH seconds (default 10) for other work to leave the
# CPUs (<= 10% busy over 1 s); the last share seen is left in BENCH_BG (percent of all CPUs).
quiet_briefly() {
    local end=$(($(date +%s) + ${BENCH_QUIET_EACH:-10}))
    while :; do
        BENCH_BG=$(cpu_busy_pct 1)
        [ "$BENCH_BG" -le 10 ] && return 0
        [ "$(date +%s)" -lt "$end" ] || return 0
    done
}
