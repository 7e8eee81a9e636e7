#!/usr/bin/env python3
"""Generates a deterministic hub corpus of N pages in hubgen's schema.

    python3 bench/corpus.py --pages 10000 --out target/bench/corpus-10000
    python3 bench/corpus.py --pages 10000 --shape dense --out target/bench/dense-10000

The corpus uses the repository's site.toml (collections, fields, targets) and
themes, and fills every collection: the programme's own content (its nine workstreams,
three programmes and the rest), then opportunities, guides, case studies and updates in proportion. Prose
follows a Zipf-like word distribution over a vocabulary of tens of thousands
of words, with headings, lists, tables, and relative links between pages.
The same arguments always give the same bytes.

Two shapes (--shape):

- `hub` (the default): 300 tags drawn three to a page, mostly from the first
  few dozen, so most tag lists are short; one or two links per section.
- `dense`: 20 tags, one to four per page, so each tag lists about an eighth of
  all pages (long term lists, paginated page by page); every section links to
  two to four other pages and holds a list and a table. It finds work that
  grows faster than the pages do.
"""

import argparse
import os
import random
import re
import shutil

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DOMAIN = """council councils procurement productivity workstream programme budget funding savings
efficiency assets capital buildings shared services partnership partners commissioning market
markets delivery social care children adults families workforce skills leadership members
officers data transparency benchmarking unit costs performance energy waste highways transport
construction contract contracts supplier suppliers framework category categories tender
personalisation pathway pathways community budgets place pilot pilots outcome outcomes residents
service services customer front office back office integrated management cluster mutual employee
governance board boards whitehall barriers burdens review evidence practice exchange toolkit guide
guidance analysis intelligence regional national local authority authorities district county
unitary metropolitan borough parish finance settlement spending challenge""".split()

SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi wo za ze zo".split()
SUFFIXES = ["", "", "s", "ing", "ed", "ment", "tion", "ness", "er", "ly"]

REGIONS = ["North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
           "East of England", "London", "South East", "South West"]


def vocabulary(rng, size):
    words = list(DOMAIN)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) + rng.choice(SUFFIXES)
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


class Prose:
    """Words drawn with a Zipf-like skew: the few common words dominate."""

    def __init__(self, rng, words):
        self.rng = rng
        self.words = words
        weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(words))]
        total = 0.0
        self.cumulative = []
        for w in weights:
            total += w
            self.cumulative.append(total)
        self.total = total

    def word(self):
        import bisect
        return self.words[bisect.bisect_left(self.cumulative, self.rng.random() * self.total)]

    def words_n(self, n):
        return " ".join(self.word() for _ in range(n))

    def sentence(self):
        s = self.words_n(self.rng.randint(6, 18))
        return s[0].upper() + s[1:] + "."

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def title(self):
        t = self.words_n(self.rng.randint(3, 7))
        return t[0].upper() + t[1:]


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--vocabulary", type=int, default=40000)
    ap.add_argument("--shape", choices=["hub", "dense"], default="hub", help="the corpus's shape (see above)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    prose = Prose(rng, vocabulary(rng, args.vocabulary))
    out = args.out
    if os.path.exists(out):
        shutil.rmtree(out)
    content = os.path.join(out, "content")

    # site.toml: the repository's, with themes taken from the repository.
    with open(os.path.join(REPO, "site.toml")) as f:
        site = f.read()
    site = site.replace('language = "en-GB"', 'language = "en-GB"\nthemes_dir = ' + yaml_str(os.path.join(REPO, "themes")), 1)
    os.makedirs(out)
    with open(os.path.join(out, "site.toml"), "w") as f:
        f.write(site)

    # The fixed part: the programme's own content, workstreams and all.
    pages = []  # (collection, slug)
    for coll in sorted(os.listdir(os.path.join(REPO, "content"))):
        src = os.path.join(REPO, "content", coll)
        shutil.copytree(src, os.path.join(content, coll))
        pages += [(coll, f[:-3]) for f in sorted(os.listdir(src)) if f.endswith(".md")]
    workstreams = sorted(f[:-3] for f in os.listdir(os.path.join(REPO, "content", "workstreams")))

    rest = max(0, args.pages - len(pages))
    shares = [("opportunities", 0.15), ("guides", 0.25), ("case-studies", 0.25), ("updates", 0.35)]
    plan = []
    for coll, share in shares:
        plan += [coll] * int(rest * share)
    plan += ["updates"] * (rest - len(plan))

    dense = args.shape == "dense"
    tags = [prose.words_n(rng.randint(1, 2)) for _ in range(300)]
    if dense:
        # Twenty distinct tags (the draw above can repeat a common word).
        tags = list(dict.fromkeys(tags))[:20]
    councils = [prose.title() + " Council" for _ in range(400)]
    used = set(pages)
    names = []
    for coll in plan:
        while True:
            title = prose.title()
            s = slug(title)[:60].strip("-")
            if s and (coll, s) not in used:
                used.add((coll, s))
                break
        names.append((coll, s, title))
    all_pages = pages + [(c, s) for c, s, _ in names]

    for i, (coll, s, title) in enumerate(names):
        year = 2008 + i % 16
        date = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        fm = [f"title: {yaml_str(title)}", f"summary: {yaml_str(prose.sentence())}"]
        page_tags = rng.sample(tags, rng.randint(1, 4)) if dense else rng.sample(tags[: 20 + i % 280], 3)
        fm.append("tags: [" + ", ".join(yaml_str(t) for t in page_tags) + "]")
        ws = rng.choice(workstreams)
        if coll == "opportunities":
            fm.append(f"workstream: {ws}")
            fm.append("questions:\n" + "\n".join(f"  - {yaml_str(prose.sentence()[:-1] + '?')}" for _ in range(3)))
        elif coll == "guides":
            fm += [f"workstream: {ws}", f"audience: {yaml_str(prose.title())}", "owner: Programme web editor",
                   f"updated: {date}", f"review_by: {year + 2}-{1 + i % 12:02d}-01"]
        elif coll == "case-studies":
            fm += [f"date: {date}", f"workstream: {ws}",
                   "councils: [" + ", ".join(yaml_str(c) for c in rng.sample(councils, rng.randint(1, 3))) + "]",
                   f"region: {yaml_str(rng.choice(REGIONS))}",
                   "outcomes:\n" + "\n".join(f"  - {yaml_str(prose.sentence())}" for _ in range(2))]
        else:
            fm.append(f"date: {date}")

        body = [prose.paragraph()]
        for h in range(rng.randint(2, 5)):
            body.append(f"## {prose.title()}")
            body.append(prose.paragraph())
            if h == 1 or dense:
                body.append("\n".join(f"- {prose.sentence()}" for _ in range(rng.randint(2, 5))))
            if h == 2 or dense:
                body.append("| Measure | Before | After |\n|---|---|---|\n" + "\n".join(
                    f"| {prose.words_n(2)} | {rng.randint(1, 999)} | {rng.randint(1, 999)} |" for _ in range(3)))
            # Links to other pages, as relative Markdown paths.
            links = []
            for _ in range(rng.randint(2, 4) if dense else rng.randint(1, 2)):
                oc, os_ = all_pages[rng.randrange(len(all_pages))]
                links.append(f"[{prose.words_n(3)}](../{oc}/{os_}.md)")
            body.append(prose.paragraph() + " See " + " and ".join(links) + ".")
        text = "---\n" + "\n".join(fm) + "\n---\n\n" + "\n\n".join(body) + "\n"
        path = os.path.join(content, coll, s + ".md")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    print(f"{len(all_pages)} pages in {content}")


if __name__ == "__main__":
    main()
