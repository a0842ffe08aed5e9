"""Summarises a LoadClient record (start_us latency_us outcome per line) around reload windows.

usage: reload_stats.py SAMPLES WINDOWS LABEL
WINDOWS holds one "hup_epoch_s done_epoch_s" line per HUP: from the signal to the master's
"Reload complete" line. A request is "during" a reload when it started inside a window; "before"
covers the time before the first HUP, less the first second (the client's own warm-up).
"""
import sys


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def main():
    samples_path, windows_path, label = sys.argv[1:4]
    windows = []
    with open(windows_path) as f:
        for line in f:
            a, b = line.split()
            windows.append((float(a) * 1e6, float(b) * 1e6))
    rows = []
    with open(samples_path) as f:
        for line in f:
            start, lat, outcome = line.split()
            rows.append((int(start), int(lat), outcome))
    rows.sort()
    t_first = rows[0][0]
    first_hup = windows[0][0] if windows else float("inf")
    before, during, other = [], [], []
    for r in rows:
        if r[0] < t_first + 1e6:
            continue
        if r[0] < first_hup:
            before.append(r)
        elif any(a <= r[0] <= b for a, b in windows):
            during.append(r)
        else:
            other.append(r)

    def errors(rs):
        out = {}
        for r in rs:
            if not r[2].startswith("2"):
                out[r[2]] = out.get(r[2], 0) + 1
        return out

    def describe(rs):
        ok = [r[1] / 1000.0 for r in rs if r[2].startswith("2")]
        errs = errors(rs)
        e = ", ".join("%s %d" % kv for kv in sorted(errs.items())) or "0"
        return "%7d %9.2f %9.2f %9.1f   %s" % (len(rs), pct(ok, 50), pct(ok, 99), max(ok) if ok else float("nan"), e)

    secs = (rows[-1][0] - rows[0][0]) / 1e6
    total_errs = errors(rows)
    reload_s = ["%.2f" % ((b - a) / 1e6) for a, b in windows]
    print("%s: %d requests in %.1f s (%.0f/s), failed: %s; reloads took %s s (HUP to 'Reload complete')"
          % (label, len(rows), secs, len(rows) / secs if secs else 0,
             ", ".join("%s %d" % kv for kv in sorted(total_errs.items())) or "0", " / ".join(reload_s)))
    print("  %-22s %7s %9s %9s %9s   %s" % ("window", "reqs", "p50 ms", "p99 ms", "max ms", "failed"))
    print("  %-22s %s" % ("before the first HUP", describe(before)))
    print("  %-22s %s" % ("during the reloads", describe(during)))
    print("  %-22s %s" % ("between/after", describe(other)))


if __name__ == "__main__":
    main()
