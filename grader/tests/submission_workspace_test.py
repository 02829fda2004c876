"""Reading submissions (folders, archives, git) and the scratch workspace overlay."""

import io
import os
import subprocess
import tarfile
import unittest
import zipfile

from grader import submission, workspace
from grader.tests.testkit import TempDirTest, make_kit, read, write

FILES = ["raft/raft.cc", "raft/raft.h"]


class SubmissionTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.kit = make_kit(self.path("kit"))
        self.pristine = workspace.kit_files(self.kit)

    def student_tree(self, root, body="// mine\n"):
        """A student's copy of the kit: the kit, with raft.cc edited and a test changed."""
        for rel, src in self.pristine.items():
            if rel.startswith(("reference/", "grader/hidden/", "grader/selftest/")):
                continue
            write(root, rel, read(src))
        write(root, "raft/raft.cc", body)
        write(root, "raft/tests/a_test.cc", "// the student weakened the test\n")
        write(root, "notes.txt", "todo\n")
        return root

    def load(self, source, **kw):
        sub = submission.load(source, FILES, self.pristine, **kw)
        self.addCleanup(sub.cleanup)
        return sub

    def test_directory(self):
        sub = self.load(self.student_tree(self.path("alice")))
        self.assertEqual(sub.kind, "directory")
        self.assertEqual(sub.files["raft/raft.cc"], b"// mine\n")
        self.assertEqual(sub.files["raft/raft.h"], b"// stub raft.h\n")
        self.assertEqual(sorted(sub.ignored), [("added", "notes.txt"), ("modified", "raft/tests/a_test.cc")])
        self.assertEqual(sub.missing, [])

    def test_kit_in_a_subfolder_and_missing_file(self):
        root = self.student_tree(self.path("bob", "tinykv-main"))
        os.unlink(os.path.join(root, "raft/raft.h"))
        sub = self.load(self.path("bob"))
        self.assertEqual(sub.root, root)
        self.assertEqual(sub.missing, ["raft/raft.h"])
        self.assertIn("kit found in tinykv-main/", " ".join(sub.notes))

    def test_tar_gz_skips_links_and_escapes(self):
        tree = self.student_tree(self.path("t"))
        archive = self.path("carol.tar.gz")
        with tarfile.open(archive, "w:gz") as t:
            t.add(tree, arcname="carol")
            evil = tarfile.TarInfo("../../evil.txt")
            data = b"x"
            evil.size = len(data)
            t.addfile(evil, io.BytesIO(data))
            link = tarfile.TarInfo("carol/raft/raft.h")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            t.addfile(link)
        sub = self.load(archive)
        self.assertEqual(sub.kind, "archive")
        self.assertEqual(sub.files["raft/raft.cc"], b"// mine\n")
        self.assertEqual(sub.files["raft/raft.h"], b"// stub raft.h\n")  # the regular file, not the link
        self.assertFalse(os.path.exists(self.path("evil.txt")))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.tmp), "evil.txt")))

    def test_zip(self):
        archive = self.path("dave.zip")
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("dave/raft/raft.cc", "// zip\n")
            z.writestr("dave/raft/raft.h", "// zip h\n")
            z.writestr("../outside.txt", "x")
        sub = self.load(archive)
        self.assertEqual(sub.files["raft/raft.cc"], b"// zip\n")

    def test_flat_upload_matched_by_name(self):
        write(self.tmp, "flat/raft.cc", "// flat\n")
        sub = self.load(self.path("flat"))
        self.assertEqual(sub.files, {"raft/raft.cc": b"// flat\n"})
        self.assertEqual(sub.missing, ["raft/raft.h"])
        self.assertTrue(any("matched by file name" in n for n in sub.notes))

    def test_symlinked_student_file_is_refused(self):
        root = self.student_tree(self.path("eve"))
        os.unlink(os.path.join(root, "raft/raft.h"))
        os.symlink(os.path.join(self.kit, "reference/raft/raft.h"), os.path.join(root, "raft/raft.h"))
        sub = self.load(root)
        self.assertNotIn("raft/raft.h", sub.files)
        self.assertEqual(sub.refused[0][0], "raft/raft.h")

    def test_oversized_file_is_refused(self):
        root = self.student_tree(self.path("big"), body="x" * (submission.MAX_STUDENT_FILE + 1))
        sub = self.load(root)
        self.assertNotIn("raft/raft.cc", sub.files)
        self.assertIn("bytes", sub.refused[0][1])

    def test_nothing_found(self):
        write(self.tmp, "empty/readme.txt", "hi\n")
        with self.assertRaisesRegex(submission.SubmissionError, "none of the lab's student files"):
            submission.load(self.path("empty"), FILES, self.pristine)
        with self.assertRaisesRegex(submission.SubmissionError, "no such file"):
            submission.load(self.path("nope"), FILES, self.pristine)
        write(self.tmp, "broken.zip", "not a zip")
        with self.assertRaisesRegex(submission.SubmissionError, "cannot unpack"):
            submission.load(self.path("broken.zip"), FILES, self.pristine)

    def git(self, repo, *args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True, capture_output=True)

    def test_git_head_not_worktree(self):
        repo = self.student_tree(self.path("frank"), body="// committed\n")
        self.git(repo, "init", "-q")
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-qm", "lab")
        write(repo, "raft/raft.cc", "// uncommitted\n")
        sub = self.load(repo)
        self.assertEqual(sub.kind, "git")
        self.assertEqual(sub.files["raft/raft.cc"], b"// committed\n")
        self.assertTrue(any("uncommitted" in n for n in sub.notes))
        sub = self.load(repo, worktree=True)
        self.assertEqual(sub.files["raft/raft.cc"], b"// uncommitted\n")

    def test_git_bundle(self):
        repo = self.student_tree(self.path("gina"), body="// bundled\n")
        self.git(repo, "init", "-q")
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-qm", "lab")
        self.git(repo, "bundle", "create", self.path("gina.bundle"), "HEAD")
        sub = self.load(self.path("gina.bundle"))
        self.assertEqual(sub.files["raft/raft.cc"], b"// bundled\n")


class WorkspaceTest(TempDirTest):
    def test_kit_files_without_git(self):
        kit = make_kit(self.path("kit"))
        os.symlink("/tmp", os.path.join(kit, "bazel-out"))
        files = workspace.kit_files(kit)
        self.assertIn("raft/raft.cc", files)
        self.assertIn("reference/raft/raft.cc", files)
        self.assertFalse(any(f.startswith("bazel-") for f in files))

    def test_kit_files_with_git_include_untracked_not_ignored(self):
        kit = make_kit(self.path("kit"))
        write(kit, ".gitignore", "/bazel-*\n*.log\n")
        subprocess.run(["git", "init", "-q"], cwd=kit, check=True)
        subprocess.run(["git", "add", "raft", "labs"], cwd=kit, check=True)
        write(kit, "grader/hidden/raft/new_test.cc", "// not committed yet\n")
        write(kit, "build.log", "ignored\n")
        files = workspace.kit_files(kit)
        self.assertIn("grader/hidden/raft/new_test.cc", files)
        self.assertNotIn("build.log", files)

    def test_reset_and_overlay(self):
        kit = make_kit(self.path("kit"))
        files = workspace.kit_files(kit)
        with workspace.Workspace(root=self.path("ws")) as ws:
            write(ws.path, "leftover/from_last_student.cc", "x")
            ws.reset(files)
            self.assertFalse(os.path.exists(os.path.join(ws.path, "leftover")))
            self.assertFalse(os.path.exists(os.path.join(ws.path, "reference")))
            self.assertFalse(os.path.exists(os.path.join(ws.path, "grader/selftest")))
            self.assertTrue(os.path.exists(os.path.join(ws.path, "grader/hidden/raft/h_test.cc")))
            ws.overlay({"raft/raft.cc": b"// student\n"})
            with open(os.path.join(ws.path, "raft/raft.cc")) as f:
                self.assertEqual(f.read(), "// student\n")
            with open(os.path.join(kit, "raft/raft.cc")) as f:
                self.assertEqual(f.read(), "// stub raft.cc\n")  # the kit is untouched
            # A copy, not a link: writing in the workspace never reaches the kit.
            self.assertNotEqual(os.stat(os.path.join(ws.path, "raft/raft.h")).st_ino, os.stat(os.path.join(kit, "raft/raft.h")).st_ino)
            ws.reset(files, exclude=["grader/hidden/"])
            self.assertFalse(os.path.exists(os.path.join(ws.path, "grader/hidden")))
            self.assertTrue(os.path.exists(os.path.join(ws.path, "reference/raft/raft.cc")))

    def test_second_grader_takes_the_next_slot(self):
        with workspace.Workspace(root=self.path("ws"), slots=2) as a:
            with workspace.Workspace(root=self.path("ws"), slots=2) as b:
                self.assertNotEqual(a.path, b.path)
                with self.assertRaises(workspace.WorkspaceBusy):
                    with workspace.Workspace(root=self.path("ws"), slots=2):
                        pass
        with workspace.Workspace(root=self.path("ws"), slots=2) as c:
            self.assertTrue(c.path.endswith("ws-0"))


if __name__ == "__main__":
    unittest.main()
