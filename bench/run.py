#!/usr/bin/env python3
"""hubgen's benchmark harness.

    python3 bench/run.py                      # 1,000 and 10,000 pages, 3 runs each
    python3 bench/run.py --pages 10000 --runs 5
    python3 bench/run.py --pages 1000,10000,50000 --write bench/RESULTS.md
    python3 bench/run.py --pages 10000 --baseline path/to/older/hubgen

For each size it generates the corpus (bench/corpus.py), then, in the same run
and several times each, builds it with:

- hubgen: both targets (the programme site and the Knowledge Hub), with search;
- Hugo (Debian's `hugo`, templates in bench/hugo/): one site with every page, no search;
- Pagefind (npm `pagefind`, bench/peers/): its index over hubgen's hub output;

and prints wall time (median), peak RSS (/usr/bin/time), output bytes and
search index bytes and files. With Chromium available it also measures the
bytes a reader downloads, gzipped as a static host sends them, for the first
query and for 49 more with each tool's JS loading the first 10 results, and
for the same 49 with one random edit in each word of five letters or more
(hubgen's typo matching; compared with Pagefind's exact queries, as Pagefind
has no typo tolerance). hubgen's index covers both sites' pages; Pagefind's
covers the hub's HTML.

Installs what it lacks (hugo, time, chromium with apt-get as root; the npm
packages from their lockfiles). Timing is for this harness only, never for tests.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

import deploy_bench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
HUBGEN = os.path.join(ROOT, "target", "release", "hubgen")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ensure_tools():
    sh(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT)
    missing = [pkg for tool, pkg in (("hugo", "hugo"), ("/usr/bin/time", "time"), ("/usr/bin/chromium", "chromium"))
               if shutil.which(tool) is None]
    if missing:
        if os.geteuid() != 0:
            sys.exit(f"the benchmark needs Debian packages {' '.join(missing)}: sudo apt-get install {' '.join(missing)}")
        sh(["apt-get", "update", "-qq"])
        sh(["apt-get", "install", "-y", "-qq", *missing], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not os.path.isdir(os.path.join(BENCH, "peers", "node_modules", "pagefind")):
        sh(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=os.path.join(BENCH, "peers"))
    if not os.path.isdir(os.path.join(ROOT, "node_modules", "playwright-core")):
        sh(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT)


def timed(cmd, cwd=None):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout)."""
    with tempfile.NamedTemporaryFile("r") as t:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%M", *cmd], cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
        rss = int(t.read().strip().splitlines()[-1]) / 1024
    return wall, rss, p.stdout


def tree(path):
    files = size = 0
    for d, _, fs in os.walk(path):
        for f in fs:
            files += 1
            size += os.path.getsize(os.path.join(d, f))
    return files, size


def seconds(text):
    value, unit = re.fullmatch(r"([\d.]+)(ms|s|µs)", text).groups()
    return float(value) / {"ms": 1000, "s": 1, "µs": 1e6}[unit]


def queries_for(corpus, n=50):
    """Fixed queries: two words from the titles of documents spread across the corpus."""
    guides = sorted(os.listdir(os.path.join(corpus, "content", "guides")))
    step = max(1, len(guides) // n)
    out = []
    for f in guides[::step][:n]:
        with open(os.path.join(corpus, "content", "guides", f)) as fh:
            title = re.search(r'^title: "(.*)"$', fh.read(), re.M).group(1)
        out.append(" ".join(title.split()[1:3]))
    return out


def misspell(query, rng):
    """One random edit (deletion, insertion, change or swap) of each word of five letters or more."""
    out = []
    for w in query.split():
        if len(w) >= 5:
            i = rng.randrange(1, len(w) - 1)
            kind = rng.randrange(4)
            if kind == 0:
                w = w[:i] + w[i + 1:]
            elif kind == 1:
                w = w[:i] + rng.choice("aeiou") + w[i:]
            elif kind == 2:
                w = w[:i] + ("y" if w[i] == "x" else "x") + w[i + 1:]
            else:
                w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        out.append(w)
    return " ".join(out)


def bench(pages, runs, work, baseline=None):
    corpus = os.path.join(work, f"corpus-{pages}")
    if not os.path.isdir(corpus):
        sh([sys.executable, os.path.join(BENCH, "corpus.py"), "--pages", str(pages), "--out", corpus], stdout=subprocess.DEVNULL)
    pagefind = os.path.join(BENCH, "peers", "node_modules", ".bin", "pagefind")
    r = {"pages": pages, "hubgen": [], "hubgen_rss": [], "search": [], "hugo": [], "hugo_rss": [], "pagefind": [], "pagefind_rss": [],
         "baseline": [], "baseline_rss": []}
    runs_dir = os.path.join(work, "runs", str(pages))
    for i in range(runs):
        # Every tool writes into a new, empty folder, as a CI build from a clean clone
        # does. Nothing is deleted while measuring (the harness waits 30 s after
        # clearing old runs): on ext4, creating files just after deleting thousands
        # makes the inode allocator scan (recently_deleted in a profile), which
        # measures the file system rather than the tools.
        out_h, out_g = os.path.join(runs_dir, f"hubgen-{i}"), os.path.join(runs_dir, f"hugo-{i}")
        wall, rss, out = timed([HUBGEN, "-C", corpus, "build", "--output", out_h])
        r["hubgen"].append(wall)
        r["hubgen_rss"].append(rss)
        if baseline:
            # The same build by another hubgen binary, interleaved run by run
            # so that both meet the same machine.
            b_wall, b_rss, _ = timed([baseline, "-C", corpus, "build", "--output", os.path.join(runs_dir, f"baseline-{i}")])
            r["baseline"].append(b_wall)
            r["baseline_rss"].append(b_rss)
        hub_line = next(line for line in out.splitlines() if line.startswith("hub: "))
        r["search"].append(seconds(re.search(r"KiB in ([\d.]+(?:ms|s|µs))\)", hub_line).group(1)))
        wall, rss, _ = timed(["hugo", "--source", os.path.join(BENCH, "hugo"), "--contentDir", os.path.join(corpus, "content"),
                              "--destination", out_g, "--cacheDir", os.path.join(runs_dir, f"hugo-cache-{i}"), "--quiet"])
        r["hugo"].append(wall)
        r["hugo_rss"].append(rss)
        wall, rss, _ = timed([pagefind, "--site", os.path.join(out_h, "hub"), "--output-path", os.path.join(out_h, "hub", "pagefind")])
        r["pagefind"].append(wall)
        r["pagefind_rss"].append(rss)
    med = {k: statistics.median(v) for k, v in r.items() if isinstance(v, list) and v}
    med["pages"] = pages
    pf_files, pf_bytes = tree(os.path.join(out_h, "hub", "pagefind"))
    idx_files, idx_bytes = tree(os.path.join(out_h, "hub", "search"))
    idx_files -= 1  # search/index.html is the results page, not the index
    idx_bytes -= os.path.getsize(os.path.join(out_h, "hub", "search", "index.html"))
    total_files, total_bytes = tree(out_h)
    med.update(
        hubgen_out_bytes=total_bytes - pf_bytes, hugo_out_bytes=tree(out_g)[1],
        index_files=idx_files, index_bytes=idx_bytes, pagefind_files=pf_files, pagefind_bytes=pf_bytes,
    )
    if shutil.which("chromium") or os.path.exists("/usr/bin/chromium"):
        qfile = os.path.join(work, f"queries-{pages}.json")
        with open(qfile, "w") as f:
            json.dump(queries_for(corpus), f)
        p = sh(["node", os.path.join(BENCH, "search_bytes.mjs"), os.path.join(out_h, "hub"), "/productivity/", qfile],
               capture_output=True, text=True)
        b = json.loads(p.stdout)
        med.update(first_h=b["hubgen"]["first"], first_p=b["pagefind"]["first"],
                   later_h=statistics.median(b["hubgen"]["later"]), later_p=statistics.median(b["pagefind"]["later"]))
        # Misspelt queries, after one exact query has loaded the library: each
        # against Pagefind's exact later query (Pagefind has no typo tolerance).
        rng = random.Random(pages)
        qs = queries_for(corpus)
        mfile = os.path.join(work, f"misspelt-{pages}.json")
        with open(mfile, "w") as f:
            json.dump([qs[0]] + [misspell(q, rng) for q in qs[1:]], f)
        p = sh(["node", os.path.join(BENCH, "search_bytes.mjs"), os.path.join(out_h, "hub"), "/productivity/", mfile],
               capture_output=True, text=True)
        med.update(misspelt_h=statistics.median(json.loads(p.stdout)["hubgen"]["later"]))
    return med


def mib(b):
    return f"{b / 2**20:.1f} MiB"


def kb(b):
    return f"{b / 1000:.1f} kB"


def table(results, runs):
    lines = [
        "| pages | hubgen: both sites + search | Hugo: one site, no search | ratio | hubgen search index (hub) | Pagefind index (hub) | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        lines.append(f"| {m['pages']:,} | {m['hubgen']:.2f} s | {m['hugo']:.2f} s | {m['hubgen'] / m['hugo']:.2f} | "
                     f"{m['search']:.2f} s | {m['pagefind']:.2f} s | {m['search'] / m['pagefind']:.3f} |")
    lines += ["", "| pages | peak RSS hubgen | Hugo | ratio | Pagefind | output hubgen (2 sites) | output Hugo |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for m in results:
        lines.append(f"| {m['pages']:,} | {m['hubgen_rss']:.0f} MiB | {m['hugo_rss']:.0f} MiB | {m['hubgen_rss'] / m['hugo_rss']:.2f} | "
                     f"{m['pagefind_rss']:.0f} MiB | {mib(m['hubgen_out_bytes'])} | {mib(m['hugo_out_bytes'])} |")
    lines += ["", "| pages | index files hubgen (hub) | Pagefind | ratio | index bytes hubgen | Pagefind | first query hubgen | Pagefind | ratio | median later query hubgen | Pagefind | ratio | median misspelt query hubgen | ratio to Pagefind's exact |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in results:
        row = (f"| {m['pages']:,} | {m['index_files']:,} | {m['pagefind_files']:,} | {m['index_files'] / m['pagefind_files']:.3f} | "
               f"{mib(m['index_bytes'])} | {mib(m['pagefind_bytes'])} |")
        if "first_h" in m:
            row += (f" {kb(m['first_h'])} | {kb(m['first_p'])} | {m['first_h'] / m['first_p']:.2f} | "
                    f"{kb(m['later_h'])} | {kb(m['later_p'])} | {m['later_h'] / max(1, m['later_p']):.2f} | "
                    f"{kb(m['misspelt_h'])} | {m['misspelt_h'] / max(1, m['later_p']):.2f} |")
        else:
            row += " – | – | – | – | – | – | – | – |"
        lines.append(row)
    if any("baseline" in m for m in results):
        lines += ["", "| pages | hubgen | baseline hubgen | time ratio | peak RSS hubgen | baseline | RSS ratio |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for m in results:
            lines.append(f"| {m['pages']:,} | {m['hubgen']:.2f} s | {m['baseline']:.2f} s | {m['hubgen'] / m['baseline']:.3f} | "
                         f"{m['hubgen_rss']:.0f} MiB | {m['baseline_rss']:.0f} MiB | {m['hubgen_rss'] / m['baseline_rss']:.3f} |")
    if len(results) > 1:
        by = {m["pages"]: m for m in results}
        if 10000 in by and 50000 in by:
            lines += ["", f"Growth 10,000 → 50,000 pages: time × {by[50000]['hubgen'] / by[10000]['hubgen']:.2f} (linear would be 5.0)."]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="1000,10000", help="comma-separated corpus sizes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--write", metavar="FILE", help="also write the results as Markdown to FILE")
    ap.add_argument("--baseline", metavar="BIN", help="another hubgen binary (an earlier version) to build each corpus too, run for run")
    args = ap.parse_args()
    ensure_tools()
    os.makedirs(args.work, exist_ok=True)
    # Outputs of earlier runs are removed before any measurement, and those of
    # this run only at its end (see bench()).
    shutil.rmtree(os.path.join(args.work, "runs"), ignore_errors=True)
    subprocess.run(["sync"])
    time.sleep(30)
    results = []
    for n in [int(x) for x in args.pages.split(",")]:
        print(f"… {n:,} pages", file=sys.stderr)
        results.append(bench(n, args.runs, args.work, args.baseline and os.path.abspath(args.baseline)))
    hugo = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    pf = subprocess.run([os.path.join(BENCH, "peers", "node_modules", ".bin", "pagefind"), "--version"], capture_output=True, text=True).stdout.strip()
    head = (f"{date.today().isoformat()} · {os.cpu_count()} cores · {platform.machine()} · median of {args.runs} runs · "
            f"hubgen {subprocess.run([HUBGEN, '--version'], capture_output=True, text=True).stdout.split()[1]} · Hugo {hugo} · {pf}")
    shutil.rmtree(os.path.join(args.work, "runs"), ignore_errors=True)
    text = head + "\n\n" + table(results, args.runs)
    text += "\n\n" + deploy_bench.run(args.work, HUBGEN, args.runs)  # bench/deploy_bench.py
    print(text)
    if args.write:
        with open(args.write, "w") as f:
            f.write("# Benchmark results\n\nWritten by `python3 bench/run.py --write bench/RESULTS.md`; see bench/run.py for what is measured.\n\n")
            f.write(text + "\n")


if __name__ == "__main__":
    main()
