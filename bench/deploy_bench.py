"""The deploy part of hubgen's benchmark (called by bench/run.py).

Generates a 10,000-page corpus (bench/corpus.py), builds its Knowledge Hub,
and deploys it with `hubgen deploy` to a real S3-compatible server on
127.0.0.1 (moto, from tests/s3/requirements.txt, in target/s3-server as
scripts/test.sh installs it): a first deploy into an empty bucket, then a
redeploy of the same build, which must upload nothing and take under 10% of
the first. run.py's --deploy-pages (or HUBGEN_BENCH_DEPLOY_PAGES) sets another size.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "s3-server")
REQUIREMENTS = os.path.join(ROOT, "tests", "s3", "requirements.txt")


def ensure_s3_server():
    """moto in its virtual environment, pinned as the tests pin it."""
    stamp = os.path.join(VENV, "requirements.txt")
    python = os.path.join(VENV, "bin", "python")
    same = os.path.exists(stamp) and open(stamp).read() == open(REQUIREMENTS).read()
    if not (same and os.path.exists(python)):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS], check=True)
        shutil.copy(REQUIREMENTS, stamp)
    return python


def start_s3_server(python):
    """Starts moto on a free port; returns (process, endpoint)."""
    p = subprocess.Popen([python, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        m = re.search(r"Running on (http://127\.0\.0\.1:\d+)", line)
        if m:
            # Keep reading its request log so that it never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            return p, m.group(1)
    sys.exit("moto did not start")


def create_bucket(endpoint, bucket):
    import urllib.request
    req = urllib.request.Request(f"{endpoint}/{bucket}", method="PUT", headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"})
    urllib.request.urlopen(req).read()


def site_toml_for(corpus, endpoint, bucket):
    """The corpus's site.toml with the hub's deploy table pointing at the local server."""
    path = os.path.join(corpus, "site.toml")
    kept, skipping = [], False
    for line in open(path).read().splitlines():
        if line.startswith("["):
            skipping = "targets.hub.deploy" in line
        if not skipping:
            kept.append(line)
    kept += ["", "[targets.hub.deploy]", f'bucket = "{bucket}"', f'endpoint = "{endpoint}"',
             "", "[[targets.hub.deploy.headers]]", 'glob = "**/*.html"', 'cache_control = "public, max-age=300"']
    with open(path, "w") as f:
        f.write("\n".join(kept) + "\n")


def deploy_timed(hubgen, corpus, out, env):
    start = time.perf_counter()
    p = subprocess.run([hubgen, "-C", corpus, "deploy", "--target", "hub", "--output", out],
                       capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"hubgen deploy failed:\n{p.stdout}\n{p.stderr}")
    return wall, p.stdout.strip()


def run(work, hubgen, runs=3, pages=None):
    """Measures first deploys and no-change redeploys; returns a Markdown section."""
    pages = pages or int(os.environ.get("HUBGEN_BENCH_DEPLOY_PAGES", "10000"))
    print(f"… deploy of {pages:,} pages", file=sys.stderr)
    python = ensure_s3_server()
    corpus = os.path.join(work, f"deploy-corpus-{pages}")
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "corpus.py"), "--pages", str(pages), "--out", corpus],
                       check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(work, f"deploy-out-{pages}")
    shutil.rmtree(out, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    server, endpoint = start_s3_server(python)
    try:
        firsts, agains, files, size = [], [], 0, 0
        for i in range(runs):
            bucket = f"bench-{i}"
            create_bucket(endpoint, bucket)
            site_toml_for(corpus, endpoint, bucket)
            if i == 0:
                subprocess.run([hubgen, "-C", corpus, "build", "--target", "hub", "--output", out],
                               check=True, stdout=subprocess.DEVNULL)
                for d, _, fs in os.walk(out):
                    fs = [f for f in fs if f != ".hubgen-output"]  # hubgen's marker, not deployed
                    files += len(fs)
                    size += sum(os.path.getsize(os.path.join(d, f)) for f in fs)
            first, first_line = deploy_timed(hubgen, corpus, out, env)
            again, again_line = deploy_timed(hubgen, corpus, out, env)
            if "uploaded 0 files" not in again_line:
                sys.exit(f"the redeploy uploaded something: {again_line}")
            firsts.append(first)
            agains.append(again)
            print(f"  {first_line}\n  {again_line}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
    first, again = statistics.median(firsts), statistics.median(agains)
    ratio = again / first
    verdict = "under 10%" if ratio < 0.10 else "NOT under 10%"
    return "\n".join([
        "## Deploy",
        "",
        f"`hubgen deploy` of the Knowledge Hub of {pages:,} generated pages to moto (an S3-compatible server) on "
        f"127.0.0.1, median of {runs} run{'s' if runs != 1 else ''}, each into a new bucket; the redeploy sends the same build again.",
        "",
        "| Pages | Files | MiB | First deploy | No-change redeploy | Redeploy / first |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {pages:,} | {files:,} | {size / 1048576:.1f} | {first:.2f} s | {again:.2f} s | {ratio:.1%} ({verdict}) |",
    ])
