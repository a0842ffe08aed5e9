#!/usr/bin/env bash
# HTTP/2 against HTTP/1.1 on the same server, with the same tool: h2load (nghttp2-client; installed with
# apt-get when missing and this runs as root). One master per kind, 2 workers, hello world, started with
# --http-protocols h1,h2 and no TLS, so HTTP/2 is h2c by prior knowledge. Three loads of the same
# concurrency (H2_CONNECTIONS x H2_STREAMS requests in flight):
#   h1        h2load --h1, H2_CONNECTIONS x H2_STREAMS connections, one request at a time on each
#   h2c       h2c, as many connections, one stream at a time on each
#   h2c mux   h2c, H2_CONNECTIONS connections, H2_STREAMS streams at a time on each
# Each kind is warmed up H2_WARMUP s, then H2_ROUNDS rounds run the three loads in turn for H2_DURATION s;
# the medians are printed, with each h2 row's ratio to the h1 row. h2load and the servers share the
# machine's CPUs: compare the ratios, not the req/s.
#
#   bench/h2.sh [KIND...]    (gthread vertx)  H2_CONNECTIONS=4 H2_STREAMS=8 H2_DURATION=8 H2_WARMUP=15 H2_ROUNDS=3
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check_qilin

CONNS=${H2_CONNECTIONS:-4}
STREAMS=${H2_STREAMS:-8}
DURATION=${H2_DURATION:-8}
WARMUP=${H2_WARMUP:-15}
ROUNDS=${H2_ROUNDS:-3}
read -r -a KINDS <<<"$(installed_kinds "${*:-gthread vertx}")"

if ! command -v h2load >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "(installing h2load: apt-get install -y nghttp2-client)"
        if ! apt-get install -y -q nghttp2-client >"$BENCH_TMP/apt.log" 2>&1; then
            apt-get update -q >>"$BENCH_TMP/apt.log" 2>&1 || true
            apt-get install -y -q nghttp2-client >>"$BENCH_TMP/apt.log" 2>&1 || tail -n 3 "$BENCH_TMP/apt.log"
        fi
    fi
    command -v h2load >/dev/null || die "h2load is missing: apt-get install -y nghttp2-client"
fi

# h2load_rate LABEL URL ARGS...: runs h2load for DURATION s, appends "req/s failed" to $BENCH_TMP/LABEL
h2load_rate() {
    local label=$1 url=$2 out
    shift 2
    out=$(h2load -D "$DURATION" --warm-up-time 1 "$@" "$url" 2>&1) || true
    local rate failed
    rate=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
    failed=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1+\2/p' <<<"$out")
    echo "${rate:-0} $((${failed:-0}))" >>"$BENCH_TMP/$label"
}

print_machine
echo "== h2load $(h2load --version 2>/dev/null | sed -n 's/^h2load nghttp2\/\([0-9.]*\).*/\1/p'), 2 workers, hello world, JDK 17, no TLS;"
echo "   $((CONNS * STREAMS)) requests in flight in every load; medians of $ROUNDS rounds of ${DURATION} s"
printf '%-8s %-28s %10s %8s %9s\n' kind load 'req/s' failed 'x h1'
for kind in "${KINDS[@]}"; do
    port=$(free_port)
    log="$BENCH_TMP/qilin-$kind.log"
    read -r -a kopts <<<"$(kind_opts "$kind")"
    bench_start_master m "$JDK17_HOME" "$log" -b "127.0.0.1:$port" -w 2 -k "$kind" "${kopts[@]}" \
        --http-protocols h1,h2 io.qilin.examples.Hello
    wait_booted "$m" "$log" 2 "http://127.0.0.1:$port/"
    url="http://127.0.0.1:$port/"
    h2load -D "$WARMUP" -c "$CONNS" -m "$STREAMS" "$url" >/dev/null 2>&1 || true
    h2load -D "$WARMUP" --h1 -c $((CONNS * STREAMS)) "$url" >/dev/null 2>&1 || true
    rm -f "$BENCH_TMP"/h2-*
    for _ in $(seq 1 "$ROUNDS"); do
        h2load_rate h2-h1 "$url" --h1 -c $((CONNS * STREAMS)) -m 1
        h2load_rate h2-h2c "$url" -c $((CONNS * STREAMS)) -m 1
        h2load_rate h2-mux "$url" -c "$CONNS" -m "$STREAMS"
    done
    h1=$(median $(cut -d' ' -f1 "$BENCH_TMP/h2-h1"))
    for row in "h1:h1 ($((CONNS * STREAMS)) connections)" "h2c:h2c ($((CONNS * STREAMS)) connections)" \
        "mux:h2c mux ($CONNS conn x $STREAMS streams)"; do
        file=${row%%:*}
        rate=$(median $(cut -d' ' -f1 "$BENCH_TMP/h2-$file"))
        failed=$(awk '{s += $2} END {print s + 0}' "$BENCH_TMP/h2-$file")
        printf '%-8s %-28s %10.0f %8s %9s\n' "$kind" "${row#*:}" "$rate" "$failed" \
            "$(awk -v a="$rate" -v b="$h1" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
    done
    bench_stop_master "$m"
done
print_load_after
