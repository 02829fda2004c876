"""Renders the student release's README from the kit's real manifests and template and checks
it the way `scripts/release.sh` does before it writes it: every lab, public suite target,
student file and handout is there, and nothing a release lacks is named (`--config=reference`,
reference/, the hidden suites, a script or a page the release does not hold). Runs against the
source tree this file lives in (tagged "external" so Bazel never caches it): a manifest or
template change that breaks the release README fails here, long before an instructor cuts one.
"""

import os
import unittest

from grader import release, release_readme

KIT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


class KitReleaseReadmeTest(unittest.TestCase):
    def test_release_readme_is_complete_and_promises_nothing_missing(self):
        text = release_readme.render(KIT)
        self.assertEqual(release_readme.problems(text, KIT), [])

    def test_it_names_no_instructor_only_path(self):
        text = release_readme.render(KIT)
        for prefix in release.INSTRUCTOR_ONLY:
            self.assertNotIn(prefix, text)

    def test_first_steps_come_first(self):
        # Setup, build, editor and the first test, in that order, before the labs.
        text = release_readme.render(KIT)
        order = [text.find(s) for s in ("scripts/setup.sh", "bazel build //...", "## The labs, in order")]
        self.assertTrue(all(i >= 0 for i in order), order)
        self.assertEqual(order, sorted(order))

    def test_the_kits_readme_links_the_first_hour(self):
        with open(os.path.join(KIT, "README.md"), encoding="utf-8") as f:
            self.assertIn("(docs/first-hour.md)", f.read())


if __name__ == "__main__":
    unittest.main()
