"""The build side of bench/run.py: hubgen, Hugo and Pagefind on one corpus, run for run.

For each run, in this order, each tool writing into a new, empty folder and
starting with the files it reads in the page cache (`warm`), each clean hubgen
build without the cache a site keeps between builds (`clean_clone`):

1. `hubgen build`: both targets with their search indexes (with `--timings=json`
   when the binary has it, for the breakdown by stage);
2. `hubgen build --no-search` (when the binary has it): the same pages, no index;
3. Hugo: one site with every page, no search;
4. Pagefind over the output of 2 (of 1 without --no-search), limited to
   content pages;
5. one guide edited (a sentence added), then hubgen and Hugo each build again
   into their output of 1 and 3: the rebuild after a one-page edit; then the
   guide edited again (a different sentence in its place) and both rebuild
   once more: the next rebuild, as on an editor's machine. The guide is put
   back after.

The cost of hubgen's search index, like for like, is the difference between 1
and 2. One difference of two whole builds moves with the machine by as much as
the index costs, so after the runs more pairs are built (each into new
folders, in alternating order, up to SEARCH_PAIRS pairs in all) and the median
difference is reported.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys

from measure import BENCH, HUBGEN, PAGEFIND, read_through, remove_and_settle, sh, timed, tree

# The element that holds a document's content on every content page of the
# themes, and on no list, term, pagination, redirect or search page.
CONTENT_ROOT = "article"

# Pairs of builds, with and without the index, whose median difference is the
# index's cost (the runs' own pairs count).
SEARCH_PAIRS = 5


def corpus_for(work, shape, pages):
    """The generated corpus of this shape and size (made once, kept in the work folder)."""
    name = f"corpus-{pages}" if shape == "hub" else f"{shape}-{pages}"
    path = os.path.join(work, name)
    if not os.path.isdir(path):
        sh([sys.executable, os.path.join(BENCH, "corpus.py"), "--pages", str(pages), "--shape", shape, "--out", path],
           stdout=subprocess.DEVNULL)
    return path


def edited_guide(corpus):
    """The guide the rebuild edits: the same one for hubgen and Hugo."""
    guides = sorted(f for f in os.listdir(os.path.join(corpus, "content", "guides")) if f.endswith(".md"))
    return os.path.join(corpus, "content", "guides", guides[len(guides) // 2])


def hugo_cmd(corpus, out, cache):
    return ["hugo", "--source", os.path.join(BENCH, "hugo"), "--contentDir", os.path.join(corpus, "content"),
            "--destination", out, "--cacheDir", cache, "--quiet"]


def timings_of(run):
    """The --timings=json object hubgen printed on stdout, or None."""
    text = run.stdout.strip()
    if not text.startswith("{"):
        return None
    return json.loads(text)


def median_timings(all_timings):
    """Per stage (and target), the median seconds over the runs, in the order hubgen gave them."""
    all_timings = [t for t in all_timings if t]
    if not all_timings:
        return None
    order, values = [], {}
    for t in all_timings:
        for s in t.get("stages", []):
            key = (s["stage"], s.get("target"))
            if key not in values:
                order.append(key)
                values[key] = []
            values[key].append(s["seconds"])
    return {
        "total": statistics.median(t["total_seconds"] for t in all_timings),
        "stages": [(stage, target, statistics.median(values[(stage, target)])) for stage, target in order],
    }


def clean_clone(corpus):
    """Removes what hubgen keeps beside a site between builds (`.hubgen-cache/`:
    the documents it read, resized images, its lock), so that each clean build
    starts as a CI build of a fresh clone does. The rebuilds keep it, as an
    editor's machine does."""
    shutil.rmtree(os.path.join(corpus, ".hubgen-cache"), ignore_errors=True)


def warm(*folders):
    """Reads every file below `folders` once, so that the next tool finds them in
    the page cache, as a build in CI finds the clone it has just checked out.
    Without it the first tool of a corpus reads from disk what the peers' runs
    (Pagefind takes gigabytes) pushed out of memory, and the tools after it
    do not."""
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in files:
                read_through(os.path.join(root, name))


def bench(shape, pages, runs, work, flags, baseline=None):
    """Measures one corpus; returns a dict of medians (see report.py for the names)."""
    corpus = corpus_for(work, shape, pages)
    runs_dir = os.path.join(work, "runs", f"{shape}-{pages}")
    guide = edited_guide(corpus)
    with open(guide) as f:
        original = f.read()
    r = {}

    def add(name, run):
        r.setdefault(name, []).append(run)

    timings, rebuild_timings = [], []
    for i in range(runs):
        out_h, out_n = os.path.join(runs_dir, f"hubgen-{i}"), os.path.join(runs_dir, f"hubgen-no-search-{i}")
        out_g, cache_g = os.path.join(runs_dir, f"hugo-{i}"), os.path.join(runs_dir, f"hugo-cache-{i}")
        out_p = os.path.join(runs_dir, f"pagefind-{i}")
        extra = ["--timings=json"] if "--timings" in flags else []
        clean_clone(corpus)
        warm(corpus)
        run = timed([HUBGEN, "-C", corpus, "build", "--output", out_h, *extra])
        add("hubgen", run)
        timings.append(timings_of(run))
        if baseline:
            # The same build by another hubgen binary, interleaved run by run
            # so that both meet the same machine.
            clean_clone(corpus)
            warm(corpus)
            add("baseline", timed([baseline, "-C", corpus, "build", "--output", os.path.join(runs_dir, f"baseline-{i}")]))
        if "--no-search" in flags:
            clean_clone(corpus)
            warm(corpus)
            add("hubgen_no_search", timed([HUBGEN, "-C", corpus, "build", "--no-search", "--output", out_n]))
        warm(corpus)
        add("hugo", timed(hugo_cmd(corpus, out_g, cache_g)))
        # Pagefind's whole process over the same pages hubgen indexes: both
        # sites' content pages (--root-selector: pages without the element are
        # left out, as with data-pagefind-body), its index written outside
        # hubgen's output. Over the output without hubgen's index when the
        # binary can leave it out (the HTML pages are the same).
        site = out_n if "--no-search" in flags else out_h
        warm(site)
        add("pagefind", timed([PAGEFIND, "--site", site, "--root-selector", CONTENT_ROOT, "--output-path", out_p]))
        try:
            # Two edits, each rebuilt by both tools: the first rebuild follows
            # a clean build, the second another rebuild, as on an editor's
            # machine (hubgen then starts from the output before last).
            for edit, name in ((1, "rebuild"), (2, "rebuild_again")):
                with open(guide, "w") as f:
                    f.write(original + f"\nA sentence an editor added: bench-{name}-{i}.\n")
                warm(corpus, out_h)
                run = timed([HUBGEN, "-C", corpus, "build", "--output", out_h, *extra])
                add(f"hubgen_{name}", run)
                if edit == 1:
                    rebuild_timings.append(timings_of(run))
                warm(corpus, out_g)
                add(f"hugo_{name}", timed(hugo_cmd(corpus, out_g, cache_g)))
        finally:
            with open(guide, "w") as f:
                f.write(original)

    if "--no-search" in flags:
        pairs = [a.wall - b.wall for a, b in zip(r["hubgen"], r["hubgen_no_search"])]
        for j in range(len(pairs), SEARCH_PAIRS):
            with_index = [HUBGEN, "-C", corpus, "build", "--output", os.path.join(runs_dir, f"pair-{j}-search")]
            without = [HUBGEN, "-C", corpus, "build", "--no-search", "--output", os.path.join(runs_dir, f"pair-{j}-no-search")]
            order = [with_index, without] if j % 2 == 0 else [without, with_index]
            walls = {}
            for cmd in order:
                clean_clone(corpus)
                warm(corpus)
                walls[id(cmd)] = timed(cmd).wall
            pairs.append(walls[id(with_index)] - walls[id(without)])
            # Each pair's outputs go once measured (gigabytes at 50,000 pages).
            remove_and_settle(with_index[-1], without[-1], wait=False)
        r_pairs = pairs
    else:
        r_pairs = []

    m = {"shape": shape, "pages": pages, "timings": median_timings(timings), "rebuild_timings": median_timings(rebuild_timings)}
    for name, rs in r.items():
        m[name] = statistics.median(x.wall for x in rs)
        m[name + "_rss"] = statistics.median(x.rss for x in rs)
        m[name + "_cpu"] = statistics.median(x.cpu_per_wall for x in rs)
    last = runs - 1
    out_h = os.path.join(runs_dir, f"hubgen-{last}")
    # The targets' outputs, not the spares hubgen keeps beside them for its next build.
    m["hubgen_out_bytes"] = sum(tree(os.path.join(out_h, d))[1] for d in os.listdir(out_h) if not d.startswith("."))
    m["hugo_out_bytes"] = tree(os.path.join(runs_dir, f"hugo-{last}"))[1]
    m["index_files"], m["index_bytes"] = index_size(os.path.join(out_h, "hub"))
    m["out_hub"] = os.path.join(out_h, "hub")
    m["documents"] = documents_in(r["hubgen"][-1])
    m["pagefind_files"], m["pagefind_bytes"] = tree(os.path.join(runs_dir, f"pagefind-{last}"))
    m["pagefind_dir"] = os.path.join(runs_dir, f"pagefind-{last}")
    m["pagefind_pages"] = pages_indexed(r["pagefind"][-1])
    m["search_cost"] = statistics.median(r_pairs) if r_pairs else None
    m["search_pairs"] = len(r_pairs)
    return m


def index_size(site):
    """Files and bytes of a target's search index (search/ without its results page)."""
    files, size = tree(os.path.join(site, "search"))
    return files - 1, size - os.path.getsize(os.path.join(site, "search", "index.html"))


def documents_in(run):
    """How many documents hubgen loaded, from its summary (stdout, or stderr with --timings=json)."""
    for line in (run.stdout + run.stderr).splitlines():
        if "documents loaded" in line:
            return int(line.split()[0])
    return None


def pages_indexed(run):
    for line in run.stdout.splitlines():
        if line.strip().startswith("Indexed") and line.strip().endswith("pages"):
            return int(line.split()[1])
    return None
