"""The TinyKV kit's grader: grades student submissions against the lab manifests
(labs/lab_*.bzl) with the public and hidden test suites. See docs/instructor.md."""
