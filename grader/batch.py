"""Grades a folder of submissions into one CSV and one report folder per student.

Every student's reports are written into a temporary folder and moved into place when
complete, and the CSV is rewritten (atomically) from the report folders after each student,
so an interrupted or crashed batch leaves only whole results behind. A rerun skips students
already graded (unless --force) and retries those whose grading failed for reasons of the
grader's own (status "error").
"""

import csv
import io
import os
import shutil
import tempfile
import time
import traceback

from grader import report, submission, util

CSV_NAME = "grades.csv"


def discover(folder):
    """[(student, path)] for each submission in `folder`: a sub-folder, an archive or a git
    bundle; the student's name is the entry's name without its extension. Returns also the
    entries it skipped, with why."""
    found, skipped, seen = [], [], {}
    for name in sorted(os.listdir(folder)):
        if name.startswith("."):
            continue
        path = os.path.join(folder, name)
        student = None
        if os.path.isdir(path):
            student = name
        elif submission.is_archive(path) or name.endswith(".bundle"):
            lower = name.lower()
            for suffix in submission.ARCHIVE_SUFFIXES + (".bundle",):
                if lower.endswith(suffix):
                    student = name[: -len(suffix)]
                    break
        if student is None:
            skipped.append((name, "not a folder, archive or git bundle"))
            continue
        student = util.safe_name(student)
        if student in seen:
            skipped.append((name, f"a second submission of {student} (graded: {seen[student]})"))
            continue
        seen[student] = name
        found.append((student, path))
    return found, skipped


def read_summary(student_dir):
    try:
        import json

        with open(os.path.join(student_dir, "summary.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _short_names(labels):
    """Column names for targets: the target name when unique, else the full label."""
    names = [label.split(":")[-1] for label in labels]
    return [n if names.count(n) == 1 else label for n, label in zip(names, labels)]


def write_csv(out_dir, students):
    """grades.csv from the report folders of `students` (in that order), atomically."""
    rows, targets = [], []
    for student in students:
        s = read_summary(os.path.join(out_dir, student))
        if s is None:
            continue
        rows.append(s)
        for t in s.get("targets", []):
            if t["target"] not in targets:
                targets.append(t["target"])
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "lab", "score", "max_score", "status"] + _short_names(targets) + ["notes"])
    for s in rows:
        # A suite not run (public-only, or absent from this kit) is blank, not 0.
        points = {t["target"]: t["points"] for t in s.get("targets", []) if t["status"] != "skipped"}
        notes = []
        if s.get("status") == "invalid_submission":
            notes.append(s.get("submission", {}).get("error", ""))
        if s.get("status") == "error":
            notes.append(util.first_line(s.get("error", "")))
        sub = s.get("submission", {})
        if sub.get("missing"):
            notes.append("not submitted: " + " ".join(sub["missing"]))
        if sub.get("ignored_total"):
            notes.append(f"{sub['ignored_total']} ignored changes")
        w.writerow(
            [s.get("student"), s.get("lab"), s.get("score", 0), s.get("max_score", 0), s.get("status")]
            + [points.get(t, "") for t in targets]
            + ["; ".join(n for n in notes if n)]
        )
    util.atomic_write(os.path.join(out_dir, CSV_NAME), buf.getvalue())


def error_result(student, lab, max_score, error):
    return {
        "student": student,
        "lab": lab,
        "title": "",
        "status": "error",
        "score": 0.0,
        "max_score": max_score,
        "error": error,
        "targets": [],
        "build": {"ok": False, "errors": ""},
        "submission": {},
        "warnings": [],
        "timing": {},
    }


def run_batch(grade_one, lab, max_score, folder, out_dir, force=False, log=print):
    """Grades every submission of `folder` with `grade_one(student, path, tmp_out) -> result`.
    Returns (graded, skipped_already, errors)."""
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):  # leftovers of an interrupted run
        if name.startswith(".tmp-"):
            shutil.rmtree(os.path.join(out_dir, name), ignore_errors=True)
    found, skipped = discover(folder)
    for name, why in skipped:
        log(f"skipping {name}: {why}")
    students = [s for s, _ in found]
    graded = already = errors = 0
    for i, (student, path) in enumerate(found, 1):
        final = os.path.join(out_dir, student)
        prev = read_summary(final)
        if prev is not None and not force and prev.get("status") != "error" and prev.get("lab") == lab:
            already += 1
            continue
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=out_dir)
        start = time.time()
        try:
            result = grade_one(student, path, tmp)
        except KeyboardInterrupt:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        except Exception:  # one broken submission (or grader bug) never stops the batch
            result = error_result(student, lab, max_score, traceback.format_exc())
            util.atomic_write(os.path.join(tmp, "error.txt"), result["error"])
        report.write_reports(result, tmp)
        util.replace_dir(tmp, final)
        write_csv(out_dir, students)
        if result["status"] == "error":
            errors += 1
        else:
            graded += 1
        log(
            f"[{i}/{len(found)}] {student}: {report._fmt(result['score'])} / {report._fmt(result['max_score'])}"
            f" ({result['status']}, {time.time() - start:.0f} s)"
        )
    write_csv(out_dir, students)
    return graded, already, errors
