#!/usr/bin/env python3
"""How long an editor waits for a save to show, with `hubgen serve` and `hugo server`.

    python3 bench/serve_latency.py [--pages 10000] [--edits 50]

bench/run.py runs it too (section()) and writes its table into bench/RESULTS.md.

On the generated corpus (bench/corpus.py), starts `hubgen serve` for the hub
target and `hugo server` (bench/hugo) on its own copy of the same content, so
neither sees the other's edits. Then it edits one guide, alternating the
tools edit by edit, and measures both the same way: from writing the file
until a client fetching the page over HTTP gets the new text (each edit
writes a token of its own; the page is fetched every 2 ms). First text edits,
then title edits (which other pages show too). For hubgen it also reports,
as its own figure, the time from the write until the preview says the search
index is up to date again. Finally the time of a full `hubgen build` of the
same target. Timing for this harness only, never for tests.

The client is an HTTP client, not a browser: a browser's reload adds the
same page load for both tools.
"""

import argparse
import atexit
import http.client
import os
import re
import shutil
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


def get(port, path):
    """The status and text of `path` on 127.0.0.1:`port` (status 0: no connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    except OSError:
        # Not listening yet (a server may say it is ready a moment early).
        return 0, ""
    finally:
        conn.close()


def free_port():
    """A port free on 127.0.0.1 now (Hugo cannot be asked for any free port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sse_events(port, sink):
    """Reads hubgen's server-sent events into `sink` as (time, event name)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET /__hubgen/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    f = s.makefile("rb")
    for line in f:
        if line.startswith(b"event: "):
            sink.append((time.perf_counter(), line[7:].strip().decode()))


def edit(path, original, token, title=False):
    """A save carrying `token`: a sentence added to the text, or (title=True) the
    title changed, which changes every list, term page and related-content box
    that shows the page."""
    with open(path, "w") as f:
        if title:
            f.write(re.sub(r'^title: "(.*)"$', lambda m: f'title: "{m.group(1)} {token}"', original, count=1, flags=re.M))
        else:
            f.write(original + f"\nA sentence an editor added: {token}.\n")


class Server:
    """A running preview server, the page of the edited guide on it, and its file."""

    def __init__(self, name, cmd, ready, page_paths, source):
        self.name, self.source = name, source
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # However the run ends, the server goes with it.
        atexit.register(self.proc.kill)
        lines, started, t_start = [], threading.Event(), time.perf_counter()

        def read():
            for line in self.proc.stdout:
                lines.append(line)
                m = ready.search(line)
                if m and not started.is_set():
                    self.port = int(m.group(1))
                    started.set()
        threading.Thread(target=read, daemon=True).start()
        while not started.wait(0.1):
            if self.proc.poll() is not None or time.perf_counter() - t_start > 600:
                self.proc.kill()
                sys.exit(f"{name} did not start:\n" + "".join(lines[-20:]))
        deadline = time.perf_counter() + 120
        self.path = None
        while self.path is None:
            for p in page_paths:
                if get(self.port, p)[0] == 200:
                    self.path = p
                    break
            else:
                if time.perf_counter() > deadline:
                    sys.exit(f"{name} does not serve the guide at any of {page_paths}")
                time.sleep(0.2)
        with open(source) as f:
            self.original = f.read()

    def shows(self, token):
        status, text = get(self.port, self.path)
        return status == 200 and token in text

    def timed_edit(self, token, title):
        """Milliseconds from the write until the served page has `token`."""
        t0 = time.perf_counter()
        edit(self.source, self.original, token, title)
        while not self.shows(token):
            if time.perf_counter() - t0 > 60:
                sys.exit(f"{self.name}: the edit did not show within 60 s")
            time.sleep(0.002)
        return t0, (time.perf_counter() - t0) * 1000

    def close(self):
        with open(self.source, "w") as f:
            f.write(self.original)
        self.proc.terminate()
        self.proc.wait()


def measure(work, pages, edits):
    """Runs both preview servers on the corpus of `pages` pages; returns the
    figures: {(server, kind): [milliseconds…]} and the full build's milliseconds."""
    os.makedirs(work, exist_ok=True)
    corpus = os.path.join(work, f"corpus-{pages}")
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(BENCH, "corpus.py"), "--pages", str(pages), "--out", corpus],
                       check=True, stdout=subprocess.DEVNULL)
    hugo_content = os.path.join(work, f"hugo-serve-content-{pages}")
    shutil.rmtree(hugo_content, ignore_errors=True)
    shutil.copytree(os.path.join(corpus, "content"), hugo_content)
    guides = sorted(f for f in os.listdir(os.path.join(corpus, "content", "guides")) if f.endswith(".md"))
    name = guides[len(guides) // 2]
    slug = name[:-3]

    hubgen = Server("hubgen serve", [HUBGEN, "-C", corpus, "serve", "--target", "hub", "--port", "0"],
                    re.compile(r"127\.0\.0\.1:(\d+)"),
                    [f"/productivity/guides/{slug}/", f"/guides/{slug}/"],
                    os.path.join(corpus, "content", "guides", name))
    events = []
    threading.Thread(target=sse_events, args=(hubgen.port, events), daemon=True).start()
    hugo = Server("hugo server", ["hugo", "server", "--source", os.path.join(BENCH, "hugo"), "--contentDir", hugo_content,
                                  "--port", str(free_port()), "--bind", "127.0.0.1",
                                  "--cacheDir", os.path.join(work, "hugo-serve-cache")],
                  re.compile(r"Web Server is available at http://[^:]+:(\d+)"),
                  [f"/guides/{slug}/"],
                  os.path.join(hugo_content, "guides", name))
    results = {}
    try:
        for kind, n in (("text", edits), ("title", max(1, edits // 2))):
            for i in range(n):
                for server in (hubgen, hugo):
                    seen = len(events)
                    t0, ms = server.timed_edit(f"edit-{kind}-{i}-{server.name.split()[0]}", kind == "title")
                    results.setdefault((server.name, kind), []).append(ms)
                    if server is hubgen:
                        # The search index catches up after the page shows.
                        while not any(e == "indexed" and t >= t0 for t, e in events[seen:]):
                            if time.perf_counter() - t0 > 60:
                                sys.exit("hubgen serve: the search index did not catch up within 60 s")
                            time.sleep(0.002)
                        t1 = next(t for t, e in events[seen:] if e == "indexed" and t >= t0)
                        results.setdefault(("hubgen serve", kind + " indexed"), []).append((t1 - t0) * 1000)
                    time.sleep(0.05)
    finally:
        hubgen.close()
        hugo.close()

    # A clean build into a new folder (an existing one would add its removal).
    out = os.path.join(work, f"serve-full-{pages}")
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([HUBGEN, "-C", corpus, "build", "--target", "hub", "--output", out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return results, (time.perf_counter() - t0) * 1000


def section(work, pages, edits):
    """Measures, and returns the live-preview section of bench/RESULTS.md in Markdown."""
    print(f"… live preview, {pages:,} pages", file=sys.stderr)
    results, full = measure(work, pages, edits)
    rows = [
        ("hubgen serve, text edit: the served page has the new text", ("hubgen serve", "text")),
        ("hugo server, text edit: the served page has the new text", ("hugo server", "text")),
        ("hubgen serve, title edit: the served page has the new title", ("hubgen serve", "title")),
        ("hugo server, title edit: the served page has the new title", ("hugo server", "title")),
        ("hubgen serve, text edit: the search index is up to date", ("hubgen serve", "text indexed")),
        ("hubgen serve, title edit: the search index is up to date", ("hubgen serve", "title indexed")),
    ]
    lines = [
        "## Live preview",
        "",
        f"`bench/serve_latency.py`: the {pages:,}-page corpus, one guide edited {edits} times in its text and "
        f"{max(1, edits // 2)} times in its title (which lists, term pages and related boxes show), alternating "
        f"`hubgen serve` (hub target) and `hugo server` edit by edit, {os.cpu_count()} cores. Both are timed the same way: "
        "from writing the file until an HTTP client, fetching the page every 2 ms, gets a page holding the token "
        "that edit wrote. A browser's reload would add the same page load to both. The search index "
        "(hubgen only; Hugo has none) is timed from the write until the preview's `indexed` event.",
        "",
        "| from saving the file until … | median | 95th percentile |",
        "|---|---:|---:|",
    ]
    for label, key in rows:
        v = results[key]
        lines.append(f"| {label} | {statistics.median(v):.0f} ms | {percentile(v, 95):.0f} ms |")
    lines.append(f"| for scale: `hubgen build --target hub`, the whole hub, once | {full:.0f} ms | |")
    lines.append("")
    for kind in ("text", "title"):
        ratio = statistics.median(results[("hubgen serve", kind)]) / statistics.median(results[("hugo server", kind)])
        lines.append(f"Ratio of medians hubgen / Hugo, {kind} edits: {ratio:.2f}.")
        lines.append("")
    return "\n".join(lines).rstrip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    print(section(args.work, args.pages, args.edits))


if __name__ == "__main__":
    main()
