"""Lints the kit's real manifests (labs/*.bzl): every lab parses, every student file exists
as a stub and in reference/, and every lab listed in a lab_*.bzl is in LABS. Runs against
the source tree this file lives in (it is tagged "external" so Bazel never caches it)."""

import os
import unittest

from grader import manifest

KIT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


class KitManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ms = manifest.load_manifests(KIT)

    def test_no_warnings(self):
        self.assertEqual(self.ms.warnings, [])

    def test_every_lab_has_tests_and_points(self):
        for name in self.ms.names():
            self.assertTrue(self.ms.tests(name), f"lab {name} grades nothing")
            self.assertGreater(self.ms.max_points(name), 0, f"lab {name} is worth no points")

    def test_student_files_exist_twice(self):
        for path in self.ms.all_student_files():
            self.assertTrue(os.path.isfile(os.path.join(KIT, path)), f"stub {path} is missing")
            ref = os.path.join(KIT, "reference", path)
            if os.path.isdir(os.path.join(KIT, "reference")):
                self.assertTrue(os.path.isfile(ref), f"reference/{path} is missing")


if __name__ == "__main__":
    unittest.main()
