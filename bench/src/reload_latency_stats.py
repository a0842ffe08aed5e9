"""Summarises a RateClient record (scheduled_us latency_us outcome retried port per line) around HUPs.

usage: reload_latency_stats.py SAMPLES HUPS LABEL RATE STEADY_S WINDOW_S, or: reload_latency_stats.py header
   or: reload_latency_stats.py storm SAMPLES START LABEL RATE RECYCLES FEWEST, or: ... storm-header
(storm: every request due after the time in START, for a --max-requests recycle storm)
HUPS holds one "hup_epoch_s" line per HUP. "before" is the STEADY_S seconds before the first HUP;
"after" is every request due in the WINDOW_S seconds after any HUP. Latency counts from each
request's scheduled send time. A request failed when its outcome is not 2xx (after one retry of a
kept-alive connection the server had closed; "retried" counts those retries).
"""
import sys


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def read_samples(path):
    rows = []
    with open(path) as f:
        for line in f:
            due, lat, outcome, retried = line.split()[:4]
            rows.append((int(due), int(lat) / 1000.0, outcome, int(retried)))
    return rows


def failures(rows):
    failed = {}
    for r in rows:
        if not r[2].startswith("2"):
            failed[r[2]] = failed.get(r[2], 0) + 1
    return ", ".join("%s %d" % kv for kv in sorted(failed.items())) or "0"


def storm(args):
    samples_path, start_path, label, rate, recycles, fewest = args
    start = float(open(start_path).read().split()[0]) * 1e6
    rows = [r for r in read_samples(samples_path) if r[0] >= start]
    lat = [r[1] for r in rows]
    print("%-34s %7s %6s %8s %7s | %6.2f / %7.2f / %7.1f"
          % (label, rate, failures(rows), recycles, fewest, pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan")))


def main():
    if sys.argv[1] == "storm-header":
        print("%-34s %7s %6s %8s %7s | %-25s" % ("server", "rate/s", "failed", "recycles", "fewest", "p50 / p99 / max"))
        return
    if sys.argv[1] == "storm":
        storm(sys.argv[2:])
        return
    if sys.argv[1] == "header":
        print("%-34s %7s %6s %7s | %-23s | %-23s | %7s" % ("server", "rate/s", "failed", "retried",
              "before p50 / p99 / max", "after p50 / p99 / max", "p99 x"))
        return
    samples_path, hups_path, label, rate, steady, window = sys.argv[1:7]
    steady_us, window_us = float(steady) * 1e6, float(window) * 1e6
    hups = [float(line.split()[0]) * 1e6 for line in open(hups_path) if line.strip()]
    rows = read_samples(samples_path)
    before = [r for r in rows if hups[0] - steady_us <= r[0] < hups[0]]
    after = [r for r in rows if any(h <= r[0] < h + window_us for h in hups)]
    retried = sum(r[3] for r in rows)

    def stats(rs):
        lat = [r[1] for r in rs]
        return pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan")

    b, a = stats(before), stats(after)
    fail = failures(rows)
    print("%-34s %7s %6s %7d | %6.2f / %6.2f / %6.1f | %6.2f / %7.2f / %6.1f | %7.1f"
          % (label, rate, fail, retried, b[0], b[1], b[2], a[0], a[1], a[2], a[1] / b[1] if b[1] else float("nan")))


if __name__ == "__main__":
    main()
