"""The self-test's planted bugs still apply to the reference: every submission of
grader/selftest/expected.json is made from the kit's real reference/ and patches, as
`scripts/grader_selftest.sh` makes them (it takes half an hour, so a patch that a reference
change broke would otherwise go unseen until then). Reads the source tree this file lives in
(tagged "external" so Bazel never caches it)."""

import json
import os
import tempfile
import unittest

from grader import manifest
from grader.selftest import selftest

KIT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


class KitSelftestPatchesTest(unittest.TestCase):
    @unittest.skipUnless(os.path.isdir(os.path.join(KIT, "reference")), "a student release has no reference/")
    def test_every_planted_bug_applies_to_the_reference(self):
        with open(os.path.join(KIT, "grader", "selftest", "expected.json")) as f:
            spec = json.load(f)
        ms = manifest.load_manifests(KIT)
        with tempfile.TemporaryDirectory() as tmp:
            paths = selftest.make_submissions(KIT, ms, spec, tmp)  # exits naming a patch that fails
            self.assertEqual(sorted(paths), sorted(spec["submissions"]))
            for name, path in paths.items():
                self.assertTrue(os.path.exists(path), f"submission {name} was not made")


if __name__ == "__main__":
    unittest.main()
