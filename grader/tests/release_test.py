"""Cutting the student release (without building it: the self-test script does that)."""

import os
import subprocess
import unittest
import zipfile

from grader import gradescope, release, release_readme
from grader.tests.testkit import TempDirTest, make_kit, read, write

# A small template for the fake kit; the kit's real one is checked by kit_release_readme_test.
TEMPLATE = """# Student kit

Set up with `bash scripts/setup.sh`, then `bazel test {{FIRST_TEST}}`.

<!-- if exists: scripts/progress.sh -->
Progress: `bash scripts/progress.sh`.
<!-- else -->
Progress: `bash scripts/grade.sh grade --lab x . --public-only`.
<!-- end -->
{{LAB_TABLE}}

{{LAB_STEPS}}
"""


class ReleaseTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.kit = make_kit(self.path("kit"))
        write(self.kit, "scripts/grader_selftest.sh", "#!/bin/sh\n")
        write(self.kit, "reference/raft/raft.cc", "// the complete solution, long enough to be a secret " + "x" * 64 + "\n")
        write(self.kit, "README.md", "# Instructor kit\n\nbazel test --config=reference //...\n")
        write(self.kit, release_readme.TEMPLATE, TEMPLATE)
        write(self.kit, "docs/x.md", "# Lab X\n")
        write(self.kit, "scripts/setup.sh", "#!/bin/sh\n")
        write(self.kit, "scripts/grade.sh", "#!/bin/sh\n")
        self.git("init", "-q")
        self.git("add", "-A")
        self.git("commit", "-qm", "kit with solutions")
        self.git("commit", "-qm", "second", "--allow-empty")

    def git(self, *args, cwd=None):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=cwd or self.kit, check=True, capture_output=True, text=True,
        ).stdout

    def files(self, root):
        return sorted(self.git("ls-files", cwd=root).split())

    def test_release_has_no_solutions_and_one_commit(self):
        dest = self.path("student")
        notes = release.cut(self.kit, dest)
        files = self.files(dest)
        self.assertIn("raft/raft.cc", files)
        self.assertIn("labs/labs.bzl", files)
        for f in files:
            self.assertFalse(f.startswith(("reference/", "grader/hidden/", "grader/selftest/")), f)
        self.assertNotIn("scripts/grader_selftest.sh", files)
        self.assertEqual(read(os.path.join(dest, "raft/raft.cc")), "// stub raft.cc\n")
        self.assertEqual(len(self.git("log", "--oneline", cwd=dest).splitlines()), 1)
        self.assertIn("reference/ (2)", " ".join(notes))

    def test_history_check(self):
        dest = self.path("student")
        release.cut(self.kit, dest)
        self.assertEqual(release.history_leaks(dest), [])
        # A release whose history once held a solution is caught even after the file is gone.
        write(dest, "reference/raft/raft.cc", "// solution\n")
        self.git("add", "-A", cwd=dest)
        self.git("commit", "-qm", "leak", cwd=dest)
        self.git("rm", "-q", "reference/raft/raft.cc", cwd=dest)
        self.git("commit", "-qm", "unleak", cwd=dest)
        problems = release.history_leaks(dest)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("one commit, found 3", problems[0])
        self.assertIn("reference/raft/raft.cc", problems[1])

    def test_uncommitted_changes_stay_out(self):
        write(self.kit, "raft/raft.cc", "// half-finished edit\n")
        notes = release.cut(self.kit, self.path("student"))
        self.assertEqual(read(self.path("student", "raft/raft.cc")), "// stub raft.cc\n")
        self.assertTrue(any("uncommitted" in n for n in notes))

    def test_a_copied_solution_is_a_leak(self):
        write(self.kit, "docs/answer.cc", read(os.path.join(self.kit, "reference/raft/raft.cc")))
        self.git("add", "-A")
        self.git("commit", "-qm", "oops")
        with self.assertRaisesRegex(release.ReleaseError, "docs/answer.cc: same content as reference/raft/raft.cc"):
            release.cut(self.kit, self.path("student"))
        self.assertFalse(os.path.exists(self.path("student")))

    def test_refuses_a_non_empty_destination(self):
        write(self.tmp, "student/x", "")
        with self.assertRaisesRegex(release.ReleaseError, "not empty"):
            release.cut(self.kit, self.path("student"))

    def commit(self, msg="change"):
        self.git("add", "-A")
        self.git("commit", "-qm", msg)

    def test_readme_is_the_students_own(self):
        dest = self.path("student")
        notes = release.cut(self.kit, dest)
        text = read(os.path.join(dest, "README.md"))
        self.assertNotIn("--config=reference", text)
        self.assertIn("bazel test //raft/tests:a_test", text)  # the first public test
        for lab in ("x", "y"):
            self.assertIn(f"`bazel test //labs:{lab}`", text)
        self.assertIn("`//raft/tests:a_test` (30)", text)
        self.assertIn("`//kv/tests:b_test` (20)", text)
        self.assertNotIn("h_test", text)  # a hidden suite is not the student's to run
        self.assertIn("[docs/x.md](docs/x.md)", text)
        for f in ("raft/raft.cc", "raft/raft.h", "kv/kv.cc"):
            self.assertIn(f"`{f}`", text)
        # Lab y includes x: x is a part listed under y, not a lab of its own.
        self.assertIn("### 1. Lab Y: Lab Y", text)
        self.assertNotIn("### 2.", text)
        self.assertIn("bazel test //labs:x   # X: Lab X", text)
        # The progress script is not in this release, so the README offers the grader instead.
        self.assertNotIn("progress.sh", text)
        self.assertIn("grade.sh grade --lab x", text)
        self.assertEqual(release_readme.problems(text, dest), [])
        self.assertTrue(any("README.md: the student's own" in n for n in notes))

    def test_the_translated_instructor_readme_stays_out(self):
        write(self.kit, "docs/zh/README.md", "# 教师版\n\nbazel test --config=reference //...\n")
        write(self.kit, "docs/zh/x.md", "# 实验 X\n")
        self.commit("zh")
        dest = self.path("student")
        notes = release.cut(self.kit, dest)
        self.assertFalse(os.path.exists(os.path.join(dest, "docs/zh/README.md")))
        self.assertTrue(os.path.exists(os.path.join(dest, "docs/zh/x.md")))
        self.assertIn("docs/zh/README.md: left out", " ".join(notes))
        # The handout's Chinese twin is linked next to it.
        self.assertIn("[docs/x.md](docs/x.md) ([中文](docs/zh/x.md))", read(os.path.join(dest, "README.md")))

    def test_readme_follows_the_manifests(self):
        old = release_readme.render(self.kit)
        # A new lab with its own suite and file: the next release's README lists them ...
        write(self.kit, "labs/lab_x.bzl", read(os.path.join(self.kit, "labs/lab_x.bzl")) + (
            'LAB_Z = {"name": "z", "title": "Lab Z", "handout": "docs/x.md", "student_files": ["kv/z.cc"],'
            ' "includes": [], "tests": [{"target": "//kv/tests:z_test", "points": 5}]}\n'))
        write(self.kit, "labs/labs.bzl", read(os.path.join(self.kit, "labs/labs.bzl"))
              .replace('"LAB_X", "LAB_Y")', '"LAB_X", "LAB_Y", "LAB_Z")').replace("[LAB_X, LAB_Y]", "[LAB_X, LAB_Y, LAB_Z]"))
        write(self.kit, "kv/z.cc", "// stub z\n")
        self.commit("lab z")
        dest = self.path("student")
        release.cut(self.kit, dest)
        text = read(os.path.join(dest, "README.md"))
        self.assertIn("`bazel test //labs:z`", text)
        self.assertIn("`//kv/tests:z_test` (5)", text)
        self.assertIn("### 2. Lab Z: Lab Z", text)
        # ... and a README written before the change is caught as out of step, by name.
        found = release_readme.problems(old, dest)
        self.assertIn("lab z: `bazel test //labs:z` is missing", found)
        self.assertIn("lab z: its public suite //kv/tests:z_test is missing", found)
        self.assertIn("lab z: its student file kv/z.cc is missing", found)

    def test_conditional_text_follows_the_scripts(self):
        write(self.kit, "scripts/progress.sh", "#!/bin/sh\n")
        self.commit("progress")
        text = release_readme.render(self.kit)
        self.assertIn("bash scripts/progress.sh", text)
        self.assertNotIn("grade.sh grade --lab x", text)

    def test_a_reference_only_command_is_refused(self):
        write(self.kit, release_readme.TEMPLATE, TEMPLATE + "\nCompare: `bazel test --config=reference //labs:x`\n")
        self.commit("bad template")
        with self.assertRaisesRegex(release_readme.ReadmeError, "names '--config=reference'"):
            release.cut(self.kit, self.path("student"))
        self.assertFalse(os.path.exists(self.path("student")))

    def test_links_and_scripts_must_be_in_the_release(self):
        write(self.kit, release_readme.TEMPLATE, TEMPLATE + "\nSee [the guide](docs/missing.md); run scripts/nope.sh.\n")
        self.commit("bad links")
        with self.assertRaises(release_readme.ReadmeError) as cm:
            release.cut(self.kit, self.path("student"))
        self.assertIn("links docs/missing.md", str(cm.exception))
        self.assertIn("names scripts/nope.sh", str(cm.exception))

    def test_handout_links_into_the_readme_must_resolve(self):
        self.assertEqual(release_readme.anchor("Set up your editor"), "set-up-your-editor")
        self.assertEqual(release_readme.anchor("3. Lab 2A: Raft"), "3-lab-2a-raft")
        write(self.kit, "docs/x.md", "# Lab X\n\nSee [the kit](../README.md#student-kit).\n")
        self.commit("handout links the README")
        release.cut(self.kit, self.path("ok"))  # "# Student kit" is in the template
        write(self.kit, "docs/x.md", "# Lab X\n\nSee [the editor](../README.md#set-up-your-editor).\n")
        self.commit("handout links a section the student README lacks")
        with self.assertRaisesRegex(release_readme.ReadmeError,
                                    "docs/x.md links README.md#set-up-your-editor, a section the student README does not have"):
            release.cut(self.kit, self.path("student"))

    def test_unknown_markers_are_refused(self):
        with self.assertRaisesRegex(release_readme.ReadmeError, "LAB_LIST"):
            release_readme.render(self.kit, "{{LAB_LIST}}\n")
        with self.assertRaisesRegex(release_readme.ReadmeError, "if exists"):
            release_readme.render(self.kit, "<!-- if exists: x -->\nno end\n")

    def test_release_sh_in_a_release_says_what_it_is(self):
        dest = self.path("student")
        release.cut(self.kit, dest)
        out = self.path("again")
        code = release.main([out, "--kit", dest])
        self.assertEqual(code, 2)
        self.assertFalse(os.path.exists(out))

    def test_grading_in_a_release_refuses_reference_components(self):
        from grader import manifest, runner

        dest = self.path("student")
        release.cut(self.kit, dest)

        class Ws:
            path = self.path("ws")

        opts = runner.Options(reference=["raft"])
        with self.assertRaisesRegex(runner.GraderError, "no reference/ \\(a student release\\)"):
            runner.Grader(dest, manifest.load_manifests(dest), Ws(), opts)
        runner.Grader(self.kit, manifest.load_manifests(self.kit), Ws(), opts)  # the full kit has one

    def test_gradescope_package(self):
        out = self.path("autograder.zip")
        gradescope.package(self.kit, "x", out, "--test-timeout 90")
        with zipfile.ZipFile(out) as z:
            names = z.namelist()
            self.assertIn("setup.sh", names)
            self.assertIn("run_autograder", names)
            self.assertIn("grader/hidden/raft/h_test.cc", names)  # hidden suites must run there
            self.assertFalse([n for n in names if n.startswith(("reference/", "grader/selftest/"))])
            run = z.read("run_autograder").decode()
            self.assertIn("gradescope --lab x --test-timeout 90", run)
            self.assertTrue((z.getinfo("run_autograder").external_attr >> 16) & 0o100)
        with self.assertRaises(Exception):
            gradescope.package(self.kit, "nope", out)


if __name__ == "__main__":
    unittest.main()
