"""Opens the sample timeline pages in headless Chromium and checks what they drew.

write_sample_pages writes synthetic pages (a small run, a 300k-message run, a made-up broken
run); broken_runs writes the pages of three REAL deliberately broken runs (a split vote in the
Raft simulator, a stale read and a lost snapshot in the raftstore cluster; it needs the
reference, or a finished lab 2C). Chromium loads each from file://, the page's script fills <div id="tl-status"> with what
it drew (lanes, arrows, density segments, fault regions, failures) and any script error, and
`--dump-dom` prints the DOM. Screenshots go to $TEST_UNDECLARED_OUTPUTS_DIR
(bazel-testlogs/timeline/browser_test/test.outputs/). Times to first paint are printed, not
asserted: this machine is shared.
"""
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

TMP = os.environ.get("TEST_TMPDIR", "/tmp")
OUT = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR", TMP)
PAGES = os.path.join(TMP, "pages")


def find_chromium():
    # TINYKV_CHROMIUM names another browser binary (or a missing one, to see the message).
    override = os.environ.get("TINYKV_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(path, os.X_OK):
            return path
    return None


CHROMIUM = find_chromium()


def runfile(path):
    for root in (os.environ.get("TEST_SRCDIR", ""), os.path.dirname(os.path.abspath(__file__))):
        for candidate in (os.path.join(root, "tinykv", path), os.path.join(root, path)):
            if os.path.exists(candidate):
                return candidate
    raise FileNotFoundError(path)


def chromium(args, name, timeout=240):
    profile = os.path.join(TMP, "chromium-profile-" + name)
    env = dict(os.environ, HOME=TMP)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--no-default-browser-check", "--disable-extensions", "--mute-audio",
           "--hide-scrollbars", "--user-data-dir=" + profile] + args
    started = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          timeout=timeout)
    return proc, time.monotonic() - started


def status_of(dom):
    m = re.search(r'<div id="tl-status"([^>]*)>', dom)
    if not m:
        return None
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(1)))


class BrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if CHROMIUM is None:
            raise AssertionError(
                "chromium is not installed: the timeline pages are tested in a real browser. "
                "Run scripts/setup.sh (it installs Debian's chromium), then run this test again.")
        os.makedirs(PAGES, exist_ok=True)
        subprocess.run([runfile("timeline/write_sample_pages"), PAGES], check=True)
        # The real broken runs: their pages and their recordings as text (.txt, dump.h).
        proc = subprocess.run([runfile("timeline/broken_runs"), PAGES], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        cls.broken_runs_output = proc.stdout.decode("utf-8", "replace")
        cls.broken_runs_ok = proc.returncode == 0

    def open(self, page, fragment="", budget=10000):
        url = "file://" + os.path.join(PAGES, page) + fragment
        name = page.replace(".html", "") + fragment.replace("#", "-").replace("=", "")
        proc, seconds = chromium(["--virtual-time-budget=%d" % budget, "--dump-dom", url], name)
        dom = proc.stdout.decode("utf-8", "replace")
        status = status_of(dom)
        self.assertIsNotNone(status, "no #tl-status in the DOM of %s (chromium exit %d):\n%s" % (
            url, proc.returncode, proc.stderr.decode("utf-8", "replace")[-2000:]))
        self.assertEqual(status.get("ready"), "1", "the page never drew: %s" % status)
        self.assertEqual(status.get("errors"), "", "script errors on %s" % url)
        print("%-28s %8.1f KB  first paint %7s ms (parse %s ms, script %s ms, draw %s ms); "
              "chromium ran %.1f s" % (
                  page + fragment, os.path.getsize(os.path.join(PAGES, page)) / 1024.0,
                  status.get("first-paint-ms"), status.get("parse-ms"),
                  status.get("script-ms"), status.get("draw-ms"), seconds))
        return status

    def screenshot(self, page, png, fragment="", size="1400,900"):
        path = os.path.join(OUT, png)
        proc, _ = chromium(["--virtual-time-budget=10000", "--window-size=" + size,
                            "--screenshot=" + path, "file://" + os.path.join(PAGES, page) + fragment],
                           "shot-" + png)
        self.assertTrue(os.path.exists(path) and os.path.getsize(path) > 10000,
                        "no screenshot %s: %s" % (path, proc.stderr.decode("utf-8", "replace")[-2000:]))

    def test_small_run(self):
        s = self.open("small.html")
        self.assertEqual(s["lanes"], "3")
        self.assertEqual(s["clients"], "2")
        self.assertEqual(s["mode"], "detail")
        self.assertEqual(s["arrows"], s["messages"])
        self.assertGreaterEqual(int(s["arrows"]), 40)
        self.assertEqual(s["regions"], "1")
        self.assertEqual(s["marks"], "5")
        self.assertEqual(s["ops"], "3")
        self.assertEqual(s["failures"], "0")
        self.assertEqual(s["truncated"], "0")
        self.screenshot("small.html", "small.png")

    def test_broken_run(self):
        s = self.open("broken.html")
        self.assertEqual(s["lanes"], "5")
        self.assertEqual(s["failures"], "1")
        self.assertEqual(s["regions"], "1")
        self.assertGreater(int(s["arrows"]), 100)
        self.assertEqual(s["ops"], "4")
        z = self.open("broken.html", "#failure")
        self.assertEqual(z["failures"], "1")
        self.assertGreater(int(z["arrows"]), 0)
        self.screenshot("broken.html", "broken.png")
        self.screenshot("broken.html", "broken-failure.png", "#failure")

    def test_empty_run(self):
        s = self.open("empty.html")
        self.assertEqual(s["lanes"], "0")
        self.assertEqual(s["arrows"], "0")

    def test_interaction(self):
        # The page drives itself (hover, click, wheel, drag-select, a filter): see selfTest().
        for page in ("small.html", "broken.html"):
            s = self.open(page, "#selftest")
            self.assertEqual(s.get("selftest"), "ok", page)

    # ---- The real broken runs (//timeline:broken_runs) ----

    def real(self, name, zoom=None):
        """Opens timeline-NAME.html whole and at #failure (or at zoom(recording lines), a
        #t=A-B fragment, when the failure view is too wide to read); returns both statuses."""
        page = "timeline-%s.html" % name
        self.assertTrue(self.broken_runs_ok and os.path.exists(os.path.join(PAGES, page)),
                        "broken_runs wrote no %s (it needs --config=reference or a finished "
                        "lab 2C):\n%s" % (page, self.broken_runs_output[-3000:]))
        with open(os.path.join(PAGES, "timeline-%s.txt" % name)) as f:
            lines = f.read().splitlines()
        fails = [line.split() for line in lines if line.startswith("fail ")]
        self.assertEqual(len(fails), 1, "the recording of %s has one failure" % name)
        fragment = zoom(lines) if zoom else "#failure"
        whole = self.open(page)
        zoomed = self.open(page, fragment)
        for s in (whole, zoomed):
            # Lanes with role bands, arrows, the pinned failure where the recording has it.
            self.assertEqual(s["band-lanes"], s["lanes"], "a lane drew no role band: %s" % s)
            self.assertGreater(int(s["arrows"]), 0, s)
            self.assertEqual(s["failures"], "1", s)
            self.assertEqual(s["failure-at"], fails[0][1], s)
        for png, frag in ((name + ".png", ""), (name + "-failure.png", fragment)):
            self.screenshot(page, png, frag, size="1400,800")
        return whole, zoomed

    def test_real_split_vote(self):
        # #failure shows 1200 milliticks with the last round (45 of them) squeezed at the end:
        # zoom from just before the last campaign to just after the failure instead.
        def last_round(lines):
            marks = [int(l.split()[1]) for l in lines if l.startswith("mark ")]
            fail = int([l for l in lines if l.startswith("fail ")][0].split()[1])
            return "#t=%d-%d" % (min(marks[-3:]) - 15, fail + 10)
        s, z = self.real("split-vote", zoom=last_round)
        self.assertEqual(s["lanes"], "3")
        self.assertEqual(s["regions"], "0")  # no fault: the bug alone splits the votes
        self.assertEqual(s["marks"], "18")   # 6 rounds x 3 campaigns
        self.assertEqual(s["arrows"], s["messages"])
        self.assertEqual(s["failure-lanes"], "")
        # The failure view holds the last round: 6 vote requests and 6 rejections.
        self.assertEqual(z["arrows"], "12")

    def test_real_stale_read(self):
        s, z = self.real("stale-read")
        self.assertEqual(s["lanes"], "3")
        self.assertEqual(s["regions"], "1")  # the old leader's isolation
        self.assertEqual(s["ops"], "3")
        self.assertEqual(s["highlighted"], "3")  # the key's ops the checker named
        self.assertEqual(z["highlighted"], "2")  # Put k=2 and the stale Get
        self.assertEqual(s["arrows"], s["messages"])

    def test_real_lost_snapshot(self):
        s, z = self.real("lost-snapshot")
        self.assertEqual(s["lanes"], "3")
        self.assertEqual(s["regions"], "2")  # store 3 isolated, then the planted filter
        self.assertGreaterEqual(int(z["regions"]), 1)
        self.assertEqual(s["failure-lanes"], "3")
        self.assertEqual(s["ops"], "30")
        self.assertEqual(s["highlighted"], "0")
        # Each snapshot's chunk travels with its MsgSnapshot: one arrow, not two. The leader
        # resends a lost snapshot about once per election timeout (its flow control waits for
        # the first one), so the run holds a handful of transfers, each folded.
        self.assertGreater(int(s["folded-chunks"]), 1)
        self.assertEqual(int(s["arrows"]) + int(s["folded-chunks"]), int(s["messages"]))

    def test_big_run(self):
        s = self.open("big.html")
        self.assertEqual(s["lanes"], "5")
        self.assertEqual(s["mode"], "density")
        self.assertGreater(int(s["density"]), 100)
        self.assertEqual(s["truncated"], "1")
        self.assertEqual(s["messages"], "100000")
        self.assertEqual(s["aggregated"], "200000")
        self.assertGreaterEqual(int(s["regions"]), 2)
        # The last 20 ms: single arrows again.
        z = self.open("big.html", "#last=20000")
        self.assertEqual(z["mode"], "detail")
        self.assertGreater(int(z["arrows"]), 20)
        self.screenshot("big.html", "big.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)
