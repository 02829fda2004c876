"""Unit tests of the grader: python3 -m unittest discover -s grader/tests -t . (from the kit root)."""
