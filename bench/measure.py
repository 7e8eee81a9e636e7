"""How bench/run.py runs and measures a command, and what it asks of git and hubgen."""

import contextlib
import os
import shutil
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


DROP_CACHES = "/proc/sys/vm/drop_caches"


def remove_and_settle(*paths, wait=True):
    """Removes `paths` (folders a measurement wrote) and leaves the disk as a
    fresh machine's, so that what is measured next is the tool, not the file
    system's memory of what was just deleted.

    On ext4 without a journal, a new file's inode is chosen by scanning past
    every inode deleted in the last minutes whose block is still cached
    (`recently_deleted` in a profile): right after gigabytes of outputs are
    removed, creating files costs several times its usual system time, for
    whichever tool runs next, and waiting does not end it (it lasts as long as
    those blocks stay in memory). Writing everything out and dropping the
    clean caches does; the next measurement then reads its inputs into memory
    again (`warm` in builds.py), and the tools' programs (`warm_programs`).
    Where the caches cannot be dropped (not root), the harness says so once
    and, when `wait`, waits half a minute, which helps less."""
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)
    subprocess.run(["sync"])
    try:
        with open(DROP_CACHES, "w") as f:
            f.write("3\n")
    except OSError as e:
        if not getattr(remove_and_settle, "warned", False):
            print(f"note: cannot drop the page cache ({DROP_CACHES}: {e.strerror}): figures measured "
                  "after removing outputs may include the file system's slower file creation",
                  file=sys.stderr)
            remove_and_settle.warned = True
        if wait:
            time.sleep(30)
    warm_programs()


@contextlib.contextmanager
def fresh_disk(path, size_bytes):
    """A new, empty ext4 file system (with a journal, as a CI runner's disk has)
    mounted at `path` for as long as the block runs; yields True then, or False
    when it cannot be made (not root, no loop devices, too little free space),
    `path` being then an ordinary folder of the disk the harness works on.

    Every measurement of a corpus writes into such a file system, made for that
    corpus: a CI build from a clean clone meets a disk that has not just deleted
    gigabytes. On the harness's own disk, every tool that creates files after
    an earlier output was removed pays for it in system time (see
    `remove_and_settle`), by as much as the figures' differences; and what each
    tool meets depends on what ran before it. The image is a sparse file beside
    `path`, removed with its file system when the block ends."""
    image = path.rstrip("/") + ".img"
    os.makedirs(os.path.dirname(image), exist_ok=True)
    made, device = False, None
    if (os.geteuid() == 0 and shutil.which("mkfs.ext4") and shutil.which("mount") and shutil.which("losetup")
            and shutil.disk_usage(os.path.dirname(image)).free > size_bytes + (2 << 30)):
        os.makedirs(path, exist_ok=True)
        try:
            with open(image, "wb") as f:
                f.truncate(size_bytes)
            # Inode tables and journal written now, not by a kernel thread during the measurements.
            # An inode for every 4 KiB: the outputs are mostly small files and folders.
            sh(["mkfs.ext4", "-q", "-F", "-i", "4096", "-m", "0", "-E", "lazy_itable_init=0,lazy_journal_init=0", image],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Direct I/O: the loop device reads and writes its file past the
            # page cache, so that what the tools write is cached once (in the
            # file system they write to), as on a disk, not a second time as
            # the image's pages.
            device = subprocess.run(
                ["losetup", "--find", "--show", "--direct-io=on", "--sector-size", "4096", image],
                capture_output=True, text=True, check=True).stdout.strip()
            try:
                sh(["mount", device, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except subprocess.CalledProcessError:
                subprocess.run(["losetup", "-d", device], check=False)
                raise
            made = True
        except (OSError, subprocess.CalledProcessError):
            with contextlib.suppress(OSError):
                os.remove(image)
    if not made and not getattr(fresh_disk, "warned", False):
        print("note: cannot make a fresh file system for the measurements (root, mkfs.ext4, loop devices "
              "and room for the outputs are needed): the tools write to the harness's own disk", file=sys.stderr)
        fresh_disk.warned = True
    try:
        yield made
    finally:
        if made:
            # A tool stopped half-way may still hold a file open: then the
            # file system is detached now and let go when it closes.
            if subprocess.run(["umount", path], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", path], check=False)
            # Detached now, or (still busy) as soon as the file system lets it go.
            subprocess.run(["losetup", "-d", device], check=False, capture_output=True)
            os.remove(image)
            if not os.path.ismount(path):
                shutil.rmtree(path, ignore_errors=True)
            # The image's pages leave the page cache, as the outputs did before.
            remove_and_settle()


def warm_programs():
    """Reads each tool's program once, so that none is timed loading itself from disk."""
    # Pagefind's runner is a node script: node is read too.
    progs = [HUBGEN, shutil.which("hugo"), shutil.which("node")]
    # Pagefind's own program lives in a platform package beside its runner.
    native = os.path.join(BENCH, "peers", "node_modules", "@pagefind")
    for d, _, fs in os.walk(native):
        progs += [os.path.join(d, f) for f in fs]
    for prog in progs:
        if not prog or not os.path.isfile(prog):
            continue
        read_through(os.path.realpath(prog))


def read_through(path):
    """Reads the file at `path` once, whole, into the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass
