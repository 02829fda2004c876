"""Hostile submissions: archives, git bundles and folders built to make the grader write or
read outside its scratch directory, or to choke it. Each row of the table is one trick; every
row must leave the file system outside the scratch directory untouched, take no student file
it should not, and say what it did (a skipped entry with its reason, a refused student file,
or a SubmissionError with a clear message)."""

import io
import os
import subprocess
import tarfile
import tempfile
import unittest
import zipfile
from unittest import mock

from grader import submission, workspace
from grader.tests.testkit import TempDirTest, make_kit, write

FILES = ["raft/raft.cc", "raft/raft.h"]
GOOD_H = b"// the student's raft.h\n"


def tar_with(path, members, prefix="kit/"):
    """A .tar.gz holding a good raft/raft.h and `members`: (TarInfo fields, data) pairs."""
    with tarfile.open(path, "w:gz", encoding="utf-8", errors="surrogateescape") as t:
        info = tarfile.TarInfo(prefix + "raft/raft.h")
        info.size = len(GOOD_H)
        t.addfile(info, io.BytesIO(GOOD_H))
        for fields, data in members:
            info = tarfile.TarInfo(fields.pop("name"))
            for k, v in fields.items():
                setattr(info, k, v)
            if data is not None:
                info.size = len(data)
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def zip_with(path, members, prefix="kit/"):
    """A .zip holding a good raft/raft.h and `members`: (name, data, unix mode or None)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(prefix + "raft/raft.h", GOOD_H)
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            z.writestr(info, data)
    return path


def tree_of(root):
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out


class HostileSubmissionTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.kit = make_kit(self.path("kit"))
        self.pristine = workspace.kit_files(self.kit)
        # Everything the grader unpacks goes under scratch/; the rest of self.tmp (and the
        # real /tmp, where absolute members would land) must not change.
        self.scratch = self.path("scratch")
        os.makedirs(self.scratch)
        patcher = mock.patch.object(tempfile, "tempdir", self.scratch)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.marker = "hostile-%d" % os.getpid()

    def outside(self):
        """What exists outside the scratch directory that a hostile entry may aim at."""
        return {p for p in tree_of(self.tmp) if not p.startswith("scratch")} | {
            p for p in ("/tmp/" + self.marker, "/" + self.marker) if os.path.lexists(p)
        }

    def load(self, source):
        before = self.outside()
        try:
            sub = submission.load(source, FILES, self.pristine)
        except submission.SubmissionError as e:
            self.assertEqual(self.outside(), before, "written outside the scratch directory")
            self.assertEqual(os.listdir(self.scratch), [], "scratch files left behind")
            return None, str(e)
        self.addCleanup(sub.cleanup)
        self.assertEqual(self.outside(), before, "written outside the scratch directory")
        for p in tree_of(sub._tmp or self.scratch):
            full = os.path.join(sub._tmp or self.scratch, p)
            self.assertFalse(os.path.islink(full), f"a link was unpacked: {p}")
        return sub, None

    def expect(self, source, taken=None, skipped=None, refused=None, missing=None, error=None):
        sub, err = self.load(source)
        if error:
            self.assertIsNone(sub, f"expected the error {error!r}")
            self.assertIn(error, err)
            return None
        self.assertIsNone(err, err)
        for rel, data in (taken or {}).items():
            self.assertEqual(sub.files.get(rel), data, rel)
        if skipped:
            reasons = " | ".join(f"{p}: {w}" for p, w in sub.skipped)
            self.assertIn(skipped, reasons)
            self.assertTrue(any("not unpacked" in n for n in sub.notes), sub.notes)
        if refused:
            self.assertIn(refused[0], [p for p, _ in sub.refused])
            self.assertIn(refused[1], " ".join(w for _, w in sub.refused))
            self.assertNotIn(refused[0], sub.files)
        if missing:
            self.assertIn(missing, sub.missing)
            self.assertNotIn(missing, sub.files)
        return sub

    # -- tar -------------------------------------------------------------------------------

    def test_tar_table(self):
        m = self.marker
        secret = write(self.tmp, "secret.txt", "the instructor's secret\n")
        rows = [
            ("symlink as a student file",
             [({"name": "kit/raft/raft.cc", "type": tarfile.SYMTYPE, "linkname": secret}, None)],
             dict(skipped="kit/raft/raft.cc: a symbolic link", missing="raft/raft.cc")),
            ("symlinked folder, then a file through it",
             [({"name": "kit/raft2", "type": tarfile.SYMTYPE, "linkname": self.tmp}, None),
              ({"name": "kit/raft2/" + m, "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="kit/raft2: a symbolic link")),
            ("hard link to a file outside",
             [({"name": "kit/raft/raft.cc", "type": tarfile.LNKTYPE, "linkname": secret}, None)],
             dict(skipped="kit/raft/raft.cc: a hard link", missing="raft/raft.cc")),
            ("absolute path",
             [({"name": "/tmp/" + m, "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="an absolute path")),
            ("dot-dot path",
             [({"name": "../../" + m, "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="leaves the archive")),
            ("dot-dot inside the path",
             [({"name": "kit/raft/../../../" + m, "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="leaves the archive")),
            ("dot-dot that stays inside",
             [({"name": "kit/raft/../raft/raft.cc", "type": tarfile.REGTYPE}, b"// sneaky\n")],
             dict(skipped="goes through ..", missing="raft/raft.cc")),
            ("deeply nested entry",
             [({"name": "kit/" + "d/" * 200 + "raft.cc", "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="nested more than")),
            ("very long name",
             [({"name": "kit/" + "n" * 2000, "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="longer than")),
            ("duplicate student file",
             [({"name": "kit/raft/raft.cc", "type": tarfile.REGTYPE}, b"// one\n"),
              ({"name": "kit/raft/raft.cc", "type": tarfile.REGTYPE}, b"// two\n")],
             dict(skipped="more than once", refused=("raft/raft.cc", "more than once"))),
            ("non-UTF-8 name",
             [({"name": b"kit/raft/\xff\xfe.cc".decode("utf-8", "surrogateescape"), "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="not valid UTF-8")),
            ("fifo and device",
             [({"name": "kit/raft/raft.cc", "type": tarfile.FIFOTYPE}, None),
              ({"name": "kit/dev", "type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}, None)],
             dict(skipped="special file", missing="raft/raft.cc")),
            ("a file where a folder must go",
             [({"name": "kit/raft/raft.cc", "type": tarfile.REGTYPE}, b"// ok\n"),
              ({"name": "kit/raft/raft.cc/inner", "type": tarfile.REGTYPE}, b"x")],
             dict(skipped="a file and a folder of the same name", taken={"raft/raft.cc": b"// ok\n"})),
        ]
        for i, (what, members, want) in enumerate(rows):
            with self.subTest(what):
                archive = tar_with(self.path(f"t{i}.tar.gz"), members)
                sub = self.expect(archive, **want)
                self.assertEqual(sub.files.get("raft/raft.h"), GOOD_H)
                self.assertFalse(os.path.lexists(os.path.join(self.tmp, m)))

    def test_tar_huge_entries(self):
        # Declared: a header that claims 1 TiB (no data behind it).
        path = self.path("declared.tar")
        with open(path, "wb") as f:
            info = tarfile.TarInfo("kit/raft/raft.cc")
            info.size = 1 << 40
            f.write(info.tobuf(format=tarfile.GNU_FORMAT))
            f.write(b"\0" * 4096)
        self.expect(path, error="archive unpacks to more than")
        # Real: more bytes than the limit (lowered here to keep the test small), compressed.
        with mock.patch.object(submission, "MAX_ARCHIVE_BYTES", 1 << 20):
            archive = tar_with(self.path("real.tar.gz"), [({"name": "kit/raft/raft.cc"}, b"\0" * (3 << 20))])
            self.expect(archive, error="archive unpacks to more than 1 MiB")
        with mock.patch.object(submission, "MAX_ARCHIVE_MEMBERS", 50):
            archive = tar_with(self.path("many.tar.gz"), [({"name": f"kit/f{i}"}, b"") for i in range(60)])
            self.expect(archive, error="more than 50 entries")

    def test_truncated_and_garbage_archives(self):
        good = tar_with(self.path("good.tar.gz"), [({"name": "kit/raft/raft.cc"}, b"x" * 100000)])
        with open(good, "rb") as f:
            data = f.read()
        write(self.tmp, "cut.tar.gz", "")
        with open(self.path("cut.tar.gz"), "wb") as f:
            f.write(data[: len(data) // 2])
        self.expect(self.path("cut.tar.gz"), error="cannot unpack cut.tar.gz")
        with open(self.path("junk.zip"), "wb") as f:
            f.write(b"PK\x03\x04" + os.urandom(200))
        self.expect(self.path("junk.zip"), error="cannot unpack junk.zip")

    # -- zip -------------------------------------------------------------------------------

    def test_zip_table(self):
        m = self.marker
        rows = [
            ("symlink as a student file", [("kit/raft/raft.cc", "/etc/passwd", 0o120777)],
             dict(skipped="a symbolic link", missing="raft/raft.cc")),
            ("absolute path", [("/tmp/" + m, "x", None)], dict(skipped="an absolute path")),
            ("dot-dot path", [("../../" + m, "x", None)], dict(skipped="leaves the archive")),
            ("backslash dot-dot path", ["..\\..\\" + m, "x", None], dict(skipped="leaves the archive")),
            ("drive letter", [("C:/" + m, "x", None)], dict(skipped="an absolute path")),
            ("deeply nested entry", [("kit/" + "d/" * 100 + "x", "x", None)], dict(skipped="nested more than")),
            ("duplicate student file", [("kit/raft/raft.cc", "// one\n", None), ("kit/raft/raft.cc", "// two\n", None)],
             dict(refused=("raft/raft.cc", "more than once"))),
            ("device", [("kit/raft/raft.cc", "", 0o020644)], dict(skipped="special file", missing="raft/raft.cc")),
        ]
        for i, (what, members, want) in enumerate(rows):
            with self.subTest(what):
                if isinstance(members[0], str):
                    members = [tuple(members)]
                archive = self.path(f"z{i}.zip")
                with mock.patch("warnings.warn"):  # zipfile warns about the duplicate name
                    zip_with(archive, members)
                sub = self.expect(archive, **want)
                self.assertEqual(sub.files.get("raft/raft.h"), GOOD_H)

    def test_zip_huge_entries(self):
        with mock.patch.object(submission, "MAX_ARCHIVE_BYTES", 1 << 20):
            archive = zip_with(self.path("bomb.zip"), [("kit/raft/raft.cc", b"\0" * (8 << 20), None)])
            self.assertLess(os.path.getsize(archive), 64 << 10)  # a compression bomb
            self.expect(archive, error="archive unpacks to more than 1 MiB")

    def test_zip_member_longer_than_declared(self):
        """A member whose data is longer than its header says: only the declared bytes are
        written, and the damage is reported, not unpacked."""
        archive = zip_with(self.path("liar.zip"), [("kit/raft/raft.cc", b"A" * 5000, None)])
        with open(archive, "rb") as f:
            data = bytearray(f.read())
        # Patch the central directory's uncompressed size of raft.cc (offset 24 in its entry).
        name = b"kit/raft/raft.cc"
        central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
        data[central + 24 : central + 28] = (100).to_bytes(4, "little")
        with open(archive, "wb") as f:
            f.write(data)
        sub, err = self.load(archive)
        if sub is not None:
            self.assertLessEqual(len(sub.files.get("raft/raft.cc", b"")), 100)
        else:
            self.assertIn("cannot unpack", err)

    # -- git -------------------------------------------------------------------------------

    def git(self, repo, *args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True, capture_output=True)

    def test_git_bundle_with_links(self):
        repo = self.path("repo")
        write(repo, "raft/raft.h", GOOD_H.decode())
        os.symlink(os.path.join(self.kit, "reference/raft/raft.cc"), os.path.join(repo, "raft/raft.cc"))
        os.symlink("/", os.path.join(repo, "root"))
        self.git(repo, "init", "-q")
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-qm", "lab")
        self.git(repo, "bundle", "create", self.path("links.bundle"), "HEAD")
        sub = self.expect(self.path("links.bundle"), skipped="raft/raft.cc: a symbolic link", missing="raft/raft.cc")
        self.assertEqual(sub.files["raft/raft.h"], GOOD_H)
        self.assertTrue(any(p == "root" for p, _ in sub.skipped))

    def test_git_bundle_garbage(self):
        with open(self.path("junk.bundle"), "wb") as f:
            f.write(b"# v2 git bundle\n" + os.urandom(300))
        self.expect(self.path("junk.bundle"), error="junk.bundle")  # "git clone ... failed" or "no commit"

    # -- folders and flat uploads ------------------------------------------------------------

    def test_folder_reaching_out_through_a_linked_folder(self):
        root = self.path("mallory")
        write(root, "raft/raft.h", GOOD_H.decode())
        os.makedirs(os.path.join(self.kit, "elsewhere/raft"))
        write(self.kit, "elsewhere/raft/raft.cc", "// not the student's\n")
        os.symlink(os.path.join(self.kit, "elsewhere"), os.path.join(root, "kit2"))
        os.symlink(os.path.join(self.kit, "elsewhere/raft/raft.cc"), os.path.join(root, "raft/raft.cc"))
        self.expect(root, refused=("raft/raft.cc", "symbolic link"))
        # The whole student folder behind a link to somewhere else.
        flat = self.path("flat")
        os.makedirs(flat)
        os.symlink(os.path.join(self.kit, "elsewhere/raft"), os.path.join(flat, "raft"))
        sub, err = self.load(flat)
        self.assertTrue(sub is None or "raft/raft.cc" not in sub.files, "read through a linked folder")

    def test_folder_deep_nesting_and_odd_names(self):
        root = self.path("deep")
        write(root, "raft/raft.cc", "// mine\n")
        write(root, "raft/raft.h", GOOD_H.decode())
        d = root
        for _ in range(150):
            d = os.path.join(d, "d")
        os.makedirs(d)
        write(d, "x.txt", "deep\n")
        odd = os.path.join(os.fsencode(root), b"notes-\xff.txt")
        with open(odd, "wb") as f:
            f.write(b"x")
        os.mkfifo(os.path.join(root, "pipe"))
        sub = self.expect(root, taken={"raft/raft.cc": b"// mine\n", "raft/raft.h": GOOD_H})
        listed = [p for _, p in sub.ignored]
        self.assertIn("notes-\\xff.txt", listed)
        for p in listed:
            p.encode("utf-8")  # every name in the report is valid UTF-8

    def test_flat_upload_duplicates_and_fifo(self):
        flat = self.path("flat")
        write(flat, "a/raft.cc", "// one\n")
        write(flat, "b/raft.cc", "// two\n")
        write(flat, "raft.h", GOOD_H.decode())
        self.expect(flat, refused=("raft/raft.cc", "2 files named raft.cc"), taken={"raft/raft.h": GOOD_H})
        # A fifo under a student file's name is never opened (reading it would block forever).
        fifo = self.path("fifo")
        write(fifo, "raft.cc", "// mine\n")
        os.mkfifo(os.path.join(fifo, "raft.h"))
        self.expect(fifo, taken={"raft/raft.cc": b"// mine\n"}, missing="raft/raft.h")
        os.makedirs(os.path.join(fifo, "raft"))
        os.mkfifo(os.path.join(fifo, "raft", "raft.h"))
        write(fifo, "raft/raft.cc", "// mine\n")
        self.expect(fifo, refused=("raft/raft.h", "not a regular file"))


if __name__ == "__main__":
    unittest.main()
