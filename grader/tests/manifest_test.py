"""Manifest parsing: the literal subset of Starlark, validation, includes."""

import unittest

from grader import manifest
from grader.tests.testkit import TempDirTest, make_kit, read, write


class ManifestTest(TempDirTest):
    def load(self):
        return manifest.load_manifests(self.tmp)

    def test_reads_labs_in_order_with_loaded_names(self):
        make_kit(self.tmp)
        ms = self.load()
        self.assertEqual(ms.names(), ["x", "y"])
        x = ms.get("x")
        self.assertEqual(x.title, "Lab X")
        self.assertEqual(x.student_files, ["raft/raft.cc", "raft/raft.h"])
        self.assertEqual([t.target for t in x.tests], ["//raft/tests:a_test", "//grader/hidden/raft:h_test"])
        h = x.tests[1]
        self.assertTrue(h.hidden)
        self.assertEqual((h.points, h.scoring, h.seeds), (10, "all_or_nothing", 3))
        self.assertEqual((h.package, h.name), ("grader/hidden/raft", "h_test"))
        self.assertEqual(x.tests[0].seeds, 1)
        self.assertEqual(ms.warnings, [])

    def test_includes_add_tests_and_files_once(self):
        make_kit(self.tmp)
        ms = self.load()
        self.assertEqual(
            [t.target for t in ms.tests("y")],
            ["//kv/tests:b_test", "//raft/tests:a_test", "//grader/hidden/raft:h_test"],
        )
        self.assertEqual(ms.student_files("y"), ["raft/raft.cc", "raft/raft.h", "kv/kv.cc"])
        self.assertEqual(ms.max_points("y"), 60)
        self.assertEqual(ms.tests("y")[1].lab, "x")
        self.assertEqual(ms.all_student_files(), ["raft/raft.cc", "raft/raft.h", "kv/kv.cc"])

    def test_include_cycles_terminate(self):
        make_kit(self.tmp)
        text = read(self.path("labs/lab_x.bzl")).replace('"includes": [],', '"includes": ["y"],')
        write(self.tmp, "labs/lab_x.bzl", text)
        ms = self.load()
        self.assertEqual(len(ms.tests("x")), 3)
        self.assertEqual(len(ms.tests("y")), 3)

    def test_unknown_lab(self):
        make_kit(self.tmp)
        with self.assertRaisesRegex(manifest.ManifestError, "no lab named 'zz'"):
            self.load().get("zz")

    def _bad(self, old, new, pattern):
        make_kit(self.tmp)
        text = read(self.path("labs/lab_x.bzl"))
        self.assertIn(old, text)
        write(self.tmp, "labs/lab_x.bzl", text.replace(old, new, 1))
        with self.assertRaisesRegex(manifest.ManifestError, pattern):
            self.load()

    def test_rejects_bad_scoring(self):
        self._bad('"scoring": "proportional"', '"scoring": "most"', "'scoring' must be one of")

    def test_rejects_unknown_key(self):
        self._bad('"points": 30,', '"point": 30,', "unknown keys")

    def test_rejects_negative_points(self):
        self._bad('"points": 30,', '"points": -1,', "'points' must be a number")

    def test_rejects_bad_seeds(self):
        self._bad('"seeds": 3', '"seeds": 0', "'seeds' must be an integer")

    def test_rejects_hidden_outside_grader_hidden(self):
        self._bad('"scoring": "proportional"}', '"scoring": "proportional", "hidden": True}', "hidden targets live under")

    def test_rejects_calls(self):
        self._bad('"title": "Lab X"', '"title": str(1)', "is not a literal|only literals")

    def test_rejects_bad_label(self):
        self._bad("//raft/tests:a_test", "raft/tests:a_test", "must be a label")

    def test_rejects_duplicate_target(self):
        self._bad('"//grader/hidden/raft:h_test"', '"//raft/tests:a_test"', "listed twice|hidden targets")

    def test_rejects_unknown_include(self):
        self._bad('"includes": [],', '"includes": ["nope"],', "includes unknown lab 'nope'")

    def test_rejects_escaping_student_file(self):
        self._bad('FILES = ["raft/raft.cc"', 'FILES = ["../raft.cc"', "plain relative path")

    def test_syntax_error_names_file_and_line(self):
        self._bad('"title": "Lab X",', '"title": "Lab X" "', r"lab_x.bzl:\d+: syntax error")

    def test_missing_load_symbol(self):
        make_kit(self.tmp)
        text = read(self.path("labs/labs.bzl")).replace('"LAB_Y")', '"LAB_Y", "LAB_Z")')
        write(self.tmp, "labs/labs.bzl", text)
        with self.assertRaisesRegex(manifest.ManifestError, "has no LAB_Z"):
            self.load()

    def test_list_concatenation_and_keyword_load(self):
        make_kit(self.tmp)
        write(self.tmp, "labs/lab_z.bzl", '''
load("//labs:lab_x.bzl", base = "FILES")
LAB_Z = {"name": "z", "student_files": base + ["kv/z.cc"], "tests": []}
''')
        text = read(self.path("labs/labs.bzl"))
        text = text.replace('LABS = [LAB_X, LAB_Y]', 'load(":lab_z.bzl", "LAB_Z")\nLABS = [LAB_X, LAB_Y, LAB_Z]')
        write(self.tmp, "labs/labs.bzl", text)
        ms = self.load()
        self.assertEqual(ms.get("z").student_files, ["raft/raft.cc", "raft/raft.h", "kv/z.cc"])

    def test_warns_about_a_target_in_two_labs(self):
        make_kit(self.tmp)
        text = read(self.path("labs/lab_x.bzl")).replace('"//kv/tests:b_test"', '"//raft/tests:a_test"')
        write(self.tmp, "labs/lab_x.bzl", text)
        ms = self.load()
        self.assertEqual(len(ms.warnings), 1)
        self.assertIn("use includes", ms.warnings[0])
        self.assertEqual(len(ms.tests("y")), 2)  # graded once

    def test_warns_about_lab_missing_from_LABS(self):
        make_kit(self.tmp)
        write(self.tmp, "labs/lab_w.bzl", 'LAB_W = {"name": "w", "tests": []}\n')
        self.assertEqual(len(self.load().warnings), 1)
        self.assertIn("lab 'w'", self.load().warnings[0])


if __name__ == "__main__":
    unittest.main()
