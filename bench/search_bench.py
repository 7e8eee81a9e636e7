"""The reader's side of search for bench/run.py: bytes downloaded per query, in Chromium.

Runs bench/search_bytes.mjs on a built hub and Pagefind's index of the same
pages: 50 fixed queries (two words from titles across the corpus), then the
same 49 later queries with one random edit in each word of five letters or
more (hubgen's typo matching; compared with Pagefind's exact queries, as
Pagefind has no typo tolerance).
"""

import json
import os
import random
import re
import statistics
import subprocess

from measure import BENCH


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


def _run(site, pagefind_dir, queries, qfile):
    with open(qfile, "w") as f:
        json.dump(queries, f)
    p = subprocess.run(["node", os.path.join(BENCH, "search_bytes.mjs"), site, "/productivity/", pagefind_dir, qfile],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def measure(m, corpus, work):
    """Adds the bytes figures to m (a result of builds.bench)."""
    qs = queries_for(corpus)
    tag = f"{m['shape']}-{m['pages']}"
    b = _run(m["out_hub"], m["pagefind_dir"], qs, os.path.join(work, f"queries-{tag}.json"))
    m.update(first_h=b["hubgen"]["first"], first_p=b["pagefind"]["first"],
             later_h=statistics.median(b["hubgen"]["later"]), later_p=statistics.median(b["pagefind"]["later"]))
    # Misspelt queries, after one exact query has loaded the library.
    rng = random.Random(m["pages"])
    b = _run(m["out_hub"], m["pagefind_dir"], [qs[0]] + [misspell(q, rng) for q in qs[1:]],
             os.path.join(work, f"misspelt-{tag}.json"))
    m.update(misspelt_h=statistics.median(b["hubgen"]["later"]))
