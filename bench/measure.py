"""How bench/run.py runs and measures a command, and what it asks of git and hubgen."""

import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
HUBGEN = os.path.join(ROOT, "target", "release", "hubgen")
PAGEFIND = os.path.join(BENCH, "peers", "node_modules", ".bin", "pagefind")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


class Run:
    """One measured process: wall seconds, peak RSS (MiB), CPU seconds (user + system), its output."""

    def __init__(self, wall, rss, cpu, elapsed, stdout, stderr):
        self.wall, self.rss, self.cpu, self.stdout, self.stderr = wall, rss, cpu, stdout, stderr
        # CPU used over wall, both as /usr/bin/time reports them for the same process.
        self.cpu_per_wall = cpu / elapsed if elapsed > 0 else 0.0


def timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time; exits the harness, with its output, if it fails."""
    with tempfile.NamedTemporaryFile("r") as t:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%e %U %S %M", *cmd], cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
        elapsed, user, system, rss_kib = t.read().strip().splitlines()[-1].split()
    return Run(wall, int(rss_kib) / 1024, float(user) + float(system), float(elapsed), p.stdout, p.stderr)


def tree(path):
    """(files, bytes) under path."""
    files = size = 0
    for d, _, fs in os.walk(path):
        for f in fs:
            files += 1
            size += os.path.getsize(os.path.join(d, f))
    return files, size


def hubgen_build_flags():
    """The options of `hubgen build` this binary has, so that the harness runs on
    older and newer binaries alike (--no-search and --timings came later)."""
    text = subprocess.run([HUBGEN, "build", "--help"], capture_output=True, text=True).stdout
    return {flag for flag in ("--no-search", "--timings") if flag in text}


def commit():
    """(HEAD's commit, the paths changed but not committed, measured code only).

    bench/RESULTS.md itself is left out: writing it is what the harness does.
    """
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = [line[3:] for line in status.splitlines() if line[3:] != "bench/RESULTS.md"]
    return head, dirty


def version(cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
