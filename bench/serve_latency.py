#!/usr/bin/env python3
"""How long an editor waits for a save to show, with `hubgen serve` and `hugo server`.

    python3 bench/serve_latency.py [--pages 10000] [--edits 50]

On the generated corpus (bench/corpus.py), starts `hubgen serve` for the hub
target, edits one guide 50 times, and measures the time from writing the
file to the server-sent reload event reaching a client (median and 95th
percentile); then 25 edits of its title, which other pages show; then the
time of a full `hubgen build` of the same target; then `hugo server` on the
same corpus (bench/hugo), the same edits, and Hugo's own reported rebuild
time ("Total in N ms") for each. Timing for this
harness only, never for tests.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
HUBGEN = os.path.join(ROOT, "target", "release", "hubgen")


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def sse_events(port, sink):
    """Reads server-sent events into `sink` as (time, event name)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET /__hubgen/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    f = s.makefile("rb")
    for line in f:
        if line.startswith(b"event: "):
            sink.append((time.perf_counter(), line[7:].strip().decode()))


def edit(path, original, i, title=False):
    """A save: a sentence added to the text, or (title=True) the title changed, which
    changes every list, term page and related-content box that shows the page."""
    with open(path, "w") as f:
        if title:
            f.write(re.sub(r'^title: "(.*)"$', lambda m: f'title: "{m.group(1)} (revision {i})"', original, count=1, flags=re.M))
        else:
            f.write(original + f"\nEdit number {i}: a sentence an editor added.\n")


def hubgen_latency(corpus, page, edits, title=False):
    p = subprocess.Popen([HUBGEN, "-C", corpus, "serve", "--target", "hub", "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    events = []
    threading.Thread(target=sse_events, args=(port, events), daemon=True).start()
    time.sleep(0.5)
    with open(page) as f:
        original = f.read()
    times = []
    try:
        for i in range(edits):
            seen = len(events)
            t0 = time.perf_counter()
            edit(page, original, i, title)
            while not any(e == "reload" for _, e in events[seen:]):
                if time.perf_counter() - t0 > 30:
                    sys.exit("no reload event within 30 s")
                time.sleep(0.0005)
            t1 = next(t for t, e in events[seen:] if e == "reload")
            times.append((t1 - t0) * 1000)
            # Let the search index catch up before the next edit.
            while not any(e == "indexed" for _, e in events[seen:]):
                time.sleep(0.002)
            time.sleep(0.05)
    finally:
        with open(page, "w") as f:
            f.write(original)
        p.terminate()
        p.wait()
    return times


def hugo_latency(corpus, page, edits, work, title=False):
    p = subprocess.Popen(["hugo", "server", "--source", os.path.join(BENCH, "hugo"), "--contentDir", os.path.join(corpus, "content"),
                          "--port", "0", "--bind", "127.0.0.1", "--cacheDir", os.path.join(work, "hugo-serve-cache"),
                          "--disableLiveReload=false"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    ready = threading.Event()

    def read():
        for line in p.stdout:
            lines.append(line)
            if "Web Server is available" in line:
                ready.set()
    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(300):
        p.terminate()
        sys.exit("hugo server did not start:\n" + "".join(lines[-20:]))
    with open(page) as f:
        original = f.read()
    totals = []
    try:
        for i in range(edits):
            seen = len(lines)
            edit(page, original, i, title)
            t0 = time.perf_counter()
            while True:
                found = [l for l in lines[seen:] if re.search(r"Total in (\d+) ms", l)]
                if found:
                    totals.append(float(re.search(r"Total in (\d+) ms", found[0]).group(1)))
                    break
                if time.perf_counter() - t0 > 60:
                    sys.exit("hugo reported no rebuild within 60 s")
                time.sleep(0.002)
            time.sleep(0.05)
    finally:
        with open(page, "w") as f:
            f.write(original)
        p.terminate()
        p.wait()
    return totals


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    os.makedirs(args.work, exist_ok=True)
    corpus = os.path.join(args.work, f"corpus-{args.pages}")
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(BENCH, "corpus.py"), "--pages", str(args.pages), "--out", corpus], check=True)
    guides = sorted(os.listdir(os.path.join(corpus, "content", "guides")))
    page = os.path.join(corpus, "content", "guides", guides[len(guides) // 2])

    h = hubgen_latency(corpus, page, args.edits)
    ht = hubgen_latency(corpus, page, args.edits // 2, title=True)
    out = os.path.join(args.work, f"serve-full-{args.pages}")
    t0 = time.perf_counter()
    subprocess.run([HUBGEN, "-C", corpus, "build", "--target", "hub", "--output", out], check=True, stdout=subprocess.DEVNULL)
    full = (time.perf_counter() - t0) * 1000
    g = hugo_latency(corpus, page, args.edits, args.work)
    gt = hugo_latency(corpus, page, args.edits // 2, args.work, title=True)
    print(f"{args.pages:,} pages, one guide edited: {args.edits} text edits, {args.edits // 2} title edits, {os.cpu_count()} cores\n")
    print("| | median | 95th percentile |")
    print("|---|---:|---:|")
    print(f"| hubgen serve, text edit: write → reload event at the client | {statistics.median(h):.0f} ms | {percentile(h, 95):.0f} ms |")
    print(f"| hugo server, text edit: its reported rebuild time | {statistics.median(g):.0f} ms | {percentile(g, 95):.0f} ms |")
    print(f"| hubgen serve, title edit: write → reload event at the client | {statistics.median(ht):.0f} ms | {percentile(ht, 95):.0f} ms |")
    print(f"| hugo server, title edit: its reported rebuild time | {statistics.median(gt):.0f} ms | {percentile(gt, 95):.0f} ms |")
    print(f"| hubgen build, the whole hub target | {full:.0f} ms | |")
    print(f"\nratio of medians hubgen / Hugo: {statistics.median(h) / statistics.median(g):.2f}")


if __name__ == "__main__":
    main()
