"""The build and search sections of bench/RESULTS.md: tables and notes, from bench/run.py's figures.

Every sentence with a figure in it is written here, with the figure filled in,
so that a rerun rewrites the notes with the tables.
"""

GOALS = {"wall": 0.5, "rebuild": 0.25, "rss": 0.15, "cpu": 1.8, "growth": 5.0, "rss_mib_50k": 1024}


def mib(b):
    return f"{b / 2**20:.1f} MiB"


def kb(b):
    return f"{b / 1000:.1f} kB"


def ratio(a, b, digits=2):
    return f"{a / b:.{digits}f}" if a is not None and b else "–"


def secs(v):
    return f"{v:.2f} s" if v is not None else "–"


def count(n):
    return f"{n:,}" if n is not None else "–"


def row_head(m):
    return f"| {m['shape']} | {m['pages']:,} |"


def builds_table(results):
    lines = [
        "| corpus | pages | hubgen: both sites + search | Hugo: one site, no search | ratio (goal ≤ 0.5) "
        "| rebuild after a one-page edit: hubgen | Hugo | ratio (goal ≤ 0.25) | CPU used / wall: hubgen (goal ≥ 1.8) | Hugo |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        lines.append(f"{row_head(m)} {secs(m['hubgen'])} | {secs(m['hugo'])} | {ratio(m['hubgen'], m['hugo'])} | "
                     f"{secs(m['hubgen_rebuild'])} | {secs(m['hugo_rebuild'])} | {ratio(m['hubgen_rebuild'], m['hugo_rebuild'])} | "
                     f"{m['hubgen_cpu']:.2f} | {m['hugo_cpu']:.2f} |")
    return lines


def rebuilds_table(results):
    lines = [
        "| corpus | pages | first rebuild after a clean build: hubgen | Hugo | ratio | the next rebuild, after another edit: hubgen "
        "| Hugo | ratio (goal ≤ 0.25) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        again, hugo_again = m.get("hubgen_rebuild_again"), m.get("hugo_rebuild_again")
        lines.append(f"{row_head(m)} {secs(m['hubgen_rebuild'])} | {secs(m['hugo_rebuild'])} | "
                     f"{ratio(m['hubgen_rebuild'], m['hugo_rebuild'])} | {secs(again)} | {secs(hugo_again)} | "
                     f"{ratio(again, hugo_again)} |")
    return lines


def memory_table(results):
    lines = [
        "| corpus | pages | peak RSS hubgen (goal ≤ 1,024 MiB at 50,000) | Hugo | ratio (goal ≤ 0.15) | Pagefind | output hubgen (2 sites) | output Hugo |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        lines.append(f"{row_head(m)} {m['hubgen_rss']:.0f} MiB | {m['hugo_rss']:.0f} MiB | {ratio(m['hubgen_rss'], m['hugo_rss'])} | "
                     f"{m['pagefind_rss']:.0f} MiB | {mib(m['hubgen_out_bytes'])} | {mib(m['hugo_out_bytes'])} |")
    return lines


def search_time_table(results):
    lines = [
        "| corpus | pages | hubgen build | hubgen build --no-search | hubgen's search (median difference of a pair) "
        "| pairs | Pagefind, whole process | ratio (goal ≤ 0.1) | documents hubgen indexes | pages Pagefind indexes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        no = m.get("hubgen_no_search")
        cost = m.get("search_cost")
        if cost is None and no is not None:
            cost = m["hubgen"] - no
        lines.append(f"{row_head(m)} {secs(m['hubgen'])} | {secs(no)} | {secs(cost)} | {m.get('search_pairs') or 1} | "
                     f"{secs(m['pagefind'])} | {ratio(cost, m['pagefind'], 3)} | {count(m['documents'])} | "
                     f"{count(m['pagefind_pages'])} |")
    return lines


def growth_lines(results):
    by = {(m["shape"], m["pages"]): m for m in results}
    shapes = list(dict.fromkeys(m["shape"] for m in results))
    rows = [(s, by[(s, 10000)], by[(s, 50000)]) for s in shapes if (s, 10000) in by and (s, 50000) in by]
    if not rows:
        sizes = ", ".join(f"{p:,}" for p in sorted({m["pages"] for m in results}))
        return [f"Growth from 10,000 to 50,000 pages needs both sizes in one run; this run measured {sizes} pages."]
    lines = [
        "| corpus | hubgen wall, 10,000 → 50,000 pages (goal ≤ 5.0, linear) | hubgen peak RSS | Hugo wall | Hugo peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    for s, a, b in rows:
        lines.append(f"| {s} | × {b['hubgen'] / a['hubgen']:.2f} | × {b['hubgen_rss'] / a['hubgen_rss']:.2f} | "
                     f"× {b['hugo'] / a['hugo']:.2f} | × {b['hugo_rss'] / a['hugo_rss']:.2f} |")
    return lines


def stage_name(stage, target):
    return f"{stage} ({target})" if target else stage


def timings_lines(results):
    # One column per corpus and size, for its clean build and its rebuild.
    cols = []
    for m in results:
        if m["timings"]:
            cols.append((f"{m['shape']}, {m['pages']:,} pages", m["timings"], m["hubgen"]))
        if m.get("rebuild_timings"):
            cols.append((f"{m['shape']}, {m['pages']:,}, rebuild", m["rebuild_timings"], m["hubgen_rebuild"]))
    if not cols:
        return ["This hubgen has no `build --timings=json`, so there is no breakdown by stage."]
    stages = []
    for _, t, _ in cols:
        for stage, target, _ in t["stages"]:
            if (stage, target) not in stages:
                stages.append((stage, target))
    # One row per stage, in hubgen's order.
    lines = ["| stage | " + " | ".join(label for label, _, _ in cols) + " |", "|---|" + "---:|" * len(cols)]
    got = [{(s, t): v for s, t, v in t["stages"]} for _, t, _ in cols]
    for c in stages:
        lines.append(f"| {stage_name(*c)} | " + " | ".join(secs(g.get(c)) for g in got) + " |")
    lines.append("| **total, hubgen's own** | " + " | ".join(f"**{secs(t['total'])}**" for _, t, _ in cols) + " |")
    lines.append("| the whole process, from start to exit | " + " | ".join(secs(wall) for _, _, wall in cols) + " |")
    return lines


def bytes_table(results):
    lines = [
        "| corpus | pages | index files hubgen (hub) | Pagefind | index bytes hubgen | Pagefind | first query hubgen | Pagefind "
        "| ratio | median later query hubgen | Pagefind | ratio | median misspelt query hubgen | ratio to Pagefind's exact |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        row = f"{row_head(m)} {m['index_files']:,} | {m['pagefind_files']:,} | {mib(m['index_bytes'])} | {mib(m['pagefind_bytes'])} |"
        if "first_h" in m:
            row += (f" {kb(m['first_h'])} | {kb(m['first_p'])} | {ratio(m['first_h'], m['first_p'])} | "
                    f"{kb(m['later_h'])} | {kb(m['later_p'])} | {ratio(m['later_h'], max(1, m['later_p']))} | "
                    f"{kb(m['misspelt_h'])} | {ratio(m['misspelt_h'], max(1, m['later_p']))} |")
        else:
            row += " – | – | – | – | – | – | – | – |"
        lines.append(row)
    return lines


def baseline_lines(results):
    if not any("baseline" in m for m in results):
        return []
    lines = ["", "Against another hubgen binary (`--baseline`), run for run:", "",
             "| corpus | pages | hubgen | baseline hubgen | time ratio | peak RSS hubgen | baseline | RSS ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for m in results:
        lines.append(f"{row_head(m)} {secs(m['hubgen'])} | {secs(m['baseline'])} | {ratio(m['hubgen'], m['baseline'], 3)} | "
                     f"{m['hubgen_rss']:.0f} MiB | {m['baseline_rss']:.0f} MiB | {ratio(m['hubgen_rss'], m['baseline_rss'], 3)} |")
    return lines


def where_time_goes(results):
    """A sentence per corpus shape, for its largest size: the stages that took most of the time."""
    out = []
    for shape in dict.fromkeys(m["shape"] for m in results):
        ms = [m for m in results if m["shape"] == shape and m["timings"]]
        if not ms:
            continue
        m = max(ms, key=lambda x: x["pages"])
        total = m["timings"]["total"]
        top = sorted(m["timings"]["stages"], key=lambda s: -s[2])[:3]
        parts = ", ".join(f"{stage_name(s, t)} {v:.2f} s ({v / total:.0%})" for s, t, v in top)
        out.append(f"- Where the time goes ({shape}, {m['pages']:,} pages, hubgen's own `--timings`, {total:.2f} s in all): {parts}; "
                   f"the process took {m['hubgen']:.2f} s from start to exit, {max(0.0, m['hubgen'] - total):.2f} s of it "
                   "outside the stages hubgen times.")
        if m.get("rebuild_timings"):
            r = m["rebuild_timings"]
            s, t, v = max(r["stages"], key=lambda x: x[2])
            out.append(f"- The rebuild after a one-page edit ({shape}, {m['pages']:,} pages) took {r['total']:.2f} s by hubgen's "
                       f"own count, against {total:.2f} s for the clean build; its longest stage was {stage_name(s, t)}, "
                       f"{v:.2f} s ({v / r['total']:.0%}).")
    return out


def disk_note(results):
    """How the outputs' disk was made ready, as bench/measure.py's fresh_disk did it for these results."""
    fresh = [m.get("fresh_disk", False) for m in results]
    settled = ("Whenever the harness removes outputs it writes everything out and drops the page cache, as on a "
               "fresh machine, before the next measurement reads its inputs and the tools' programs into memory "
               "again.")
    if any(fresh) and not all(fresh):
        return ("Some corpora's outputs went to a new, empty ext4 file system with a journal, as a CI runner's disk, "
                "and the others' to the harness's own disk (which has no journal: there creating files costs several "
                "times the system time for minutes after many were deleted), as bench/run.py's messages say. "
                + settled)
    if all(fresh):
        return ("Each corpus's outputs go to a new, empty ext4 file system with a journal (an image made for that "
                "corpus and removed after it, on a loop device with direct I/O), as a CI runner's disk: both tools write a folder and a file per page, "
                "and on the harness's own disk, which has no journal, creating files costs several times the system "
                "time for minutes after many were deleted (ext4 then scans past recently deleted inodes), by as much "
                "as the differences measured, for whichever tool runs next. " + settled)
    return ("Both tools write a folder and a file per page, which costs the kernel more for some minutes after many "
            "files were deleted (ext4 without a journal scans past recently deleted inodes), and this run could not "
            "give them a fresh file system (that needs root, mkfs.ext4 and loop devices). " + settled)


def notes(results, runs, flags):
    search_cost = ("hubgen's search is the median, over pairs of builds, of the difference between `hubgen build` "
                   "and `hubgen build --no-search` (which builds every page as usual and writes no index), both whole "
                   "processes into a new folder: it is what search adds to a build, the index files of both targets "
                   "written included. Each run's own two builds are a pair; more pairs are built after the runs, "
                   "each into new folders and in alternating order, since one difference of two whole builds moves "
                   "with the machine by as much as the index costs. Each target's index covers every document of "
                   "both sites.") \
        if "--no-search" in flags else \
        ("This hubgen has no `build --no-search`, so what search adds to a build is not measured (\"–\"); "
         "Pagefind then indexes the output of the build with search (the same HTML pages).")
    lines = [
        "Notes (written by bench/report.py with the figures of this run):",
        "",
        f"- Every figure is a median of {runs} run{'s' if runs != 1 else ''}; in each run every tool writes into a new, "
        "empty folder, as a CI build from a clean clone does, and the tools run one after the other, so they meet the "
        "same machine; before each, every file it reads is read once, so that each finds them in the page cache as a "
        "build of a fresh clone does (Pagefind's gigabytes otherwise push the next corpus out of memory, and the first "
        "tool to run reads it from disk). " + disk_note(results),
        "- Corpora (bench/corpus.py): `hub`, 300 tags drawn three to a page, mostly from the first few dozen, one or two "
        "links per section; `dense`, 20 tags, one to four per page (each tag lists about an eighth of all pages), two "
        "to four links, a list and a table in every section.",
        "- hubgen's build is the whole process of `hubgen build`: loading and parsing the Markdown, rendering both "
        "targets (the programme site and the Knowledge Hub), their search indexes, writing, the swap into place, "
        "without the cache hubgen keeps beside a site (`.hubgen-cache/`, removed before each clean build, as a fresh "
        "clone has none; writing it is part of the build). Hugo "
        "(Debian's `hugo`, templates in `bench/hugo/` rendering what hubgen's pages show: title, table of contents, "
        "content, tags, paginated section lists, taxonomy pages) builds one site holding every page, without search, "
        "with a new cache folder.",
        "- The rebuild: one guide gets one sentence more, then each tool builds again into the output of its first "
        "build (hubgen stages the new output and swaps it in, keeping the old one beside it as the start of its next "
        "build, and takes every unchanged document from what its last build read; Hugo writes over its destination, "
        "with the cache of its first build). The same edit for both. Then "
        "that sentence is replaced by another and each tool rebuilds again (\"the next rebuild\"): hubgen then brings the "
        "output before last up to date, as it does on an editor's machine from the second build on.",
        "- Peak RSS is the maximum resident set size and CPU used / wall is (user + system) / elapsed, both as "
        "`/usr/bin/time` reports them for the whole process; 2.0 would be both of 2 cores busy throughout.",
        f"- {search_cost}",
        "- Pagefind (npm `pagefind`, bench/peers/) is timed as its whole process: start-up, reading and parsing "
        "every HTML file of both sites, indexing the content pages only (`--root-selector article`: a page without "
        "an `article` element, such as a list, term, pagination, redirect or search page, is left out, as "
        "`data-pagefind-body` does), and writing its index. It writes one index over both sites' content pages "
        "where hubgen writes one per target.",
        "- \"Index files\" and \"index bytes\" count hubgen's hub `search/` folder (without the results page) and "
        "Pagefind's index folder as written to disk.",
        "- Search payloads are measured in headless Chromium against a server on 127.0.0.1 that gzips text as a "
        "static host does: each tool's own JS module runs the same 50 queries (two words from titles across the "
        "corpus), loading the first 10 results' metadata (hubgen) or data (Pagefind). \"First query\" starts from a "
        "blank page of the same origin that has loaded neither library: it counts the library, its initialisation, "
        "the query and its results. \"Later query\" is what each further query adds. Misspelt queries have one "
        "random edit in each word of five letters or more, against Pagefind's exact queries (it has no typo "
        "tolerance).",
        "- The goals in the column heads are those of the performance issue (#18), at 10,000 and 50,000 pages; at "
        "1,000 pages start-up costs weigh more.",
    ]
    return lines + where_time_goes(results)


def sections(results, runs, flags):
    """The build and search part of RESULTS.md (Markdown)."""
    out = ["## Builds", ""]
    out += builds_table(results)
    out += ["", "### Rebuilds", ""] + rebuilds_table(results)
    out += ["", "### Memory and output", ""] + memory_table(results)
    out += ["", "### Search index time, like for like", ""] + search_time_table(results)
    out += ["", "### Growth", ""] + growth_lines(results)
    out += ["", "### Where hubgen's time goes (`hubgen build --timings=json`, medians)", ""] + timings_lines(results)
    out += baseline_lines(results)
    out += ["", "## Search: what a reader downloads", ""] + bytes_table(results)
    out += [""] + notes(results, runs, flags)
    return "\n".join(out)
