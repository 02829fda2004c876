"""Reports of one graded submission, all made from the result dict the runner returns:

- report.txt    the table an instructor or student reads (also printed by the CLI);
- summary.json  the result itself (the batch CSV and the self-test read it);
- results.json  Gradescope's autograder format;
- junit.xml     JUnit XML, one testsuite per target, for CI systems;
- ignored_changes.txt  what the student changed outside the student files (not graded).
"""

import os
import xml.etree.ElementTree as ET

from grader import util

STATUS_WORDS = {
    "passed": "ok",
    "failed": "FAILED",
    "build_failed": "BUILD FAILED",
    "missing": "MISSING",
    "skipped": "skipped",
    "not_run": "not run",
}
KIND_WORDS = {
    "failed": "failed",
    "crashed": "CRASHED",
    "timeout": "TIMED OUT",
    "not_run": "not run",
    "skipped": "skipped",
    "exit": "bad exit",
}
MAX_FAILURES_SHOWN = 40


def _fmt(x):
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}"


def text_report(result, verbose_messages=True):
    lines = []
    title = f"TinyKV grader: lab {result['lab']} ({result['title']})"
    if result.get("student"):
        title += f", {result['student']}"
    lines.append(title)
    lines.append("=" * len(title))
    sub = result.get("submission", {})
    if result["status"] == "invalid_submission":
        lines.append(f"The submission could not be graded: {sub.get('error', '')}")
        lines.append(f"Score: 0 / {_fmt(result['max_score'])}")
        return "\n".join(lines) + "\n"
    rows = [("target", "seeds", "cases", "points", "scoring", "status")]
    for t in result["targets"]:
        name = t["target"] + (" (hidden)" if t["hidden"] else "")
        planned, ran = len(t["seeds_planned"]), len(t["seeds_run"])
        seeds = str(planned) if ran in (0, planned) else f"{ran}/{planned}"
        cases = f"{t['passed']}/{t['total']}" if t["total"] else "-"
        pts = f"{_fmt(t['points'])} / {_fmt(t['max_points'])}"
        scoring = "all-or-nothing" if t["scoring"] == "all_or_nothing" else "proportional"
        rows.append((name, seeds, cases, pts, scoring, STATUS_WORDS.get(t["status"], t["status"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[j]) if j != 3 else c.rjust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"Score: {_fmt(result['score'])} / {_fmt(result['max_score'])}")
    timing = result.get("timing", {})
    if timing:
        lines.append(
            "Time: " + ", ".join(f"{k} {v:g} s" for k, v in timing.items())
        )
    ref = result.get("options", {}).get("reference")
    if ref:
        lines.append(f"Built with the reference's {', '.join(ref)} (--reference-component): not the student's")
    for w in result.get("warnings", []):
        lines.append(f"WARNING: {w}")
    if not result["build"].get("ok", True) and result["build"].get("errors"):
        lines.append("")
        lines.append("The build failed. Compiler errors:")
        lines.append(util.truncate_text(result["build"]["errors"], 6000, 2000))
    notes = []
    for t in result["targets"]:
        if t["status"] in ("build_failed", "missing", "skipped") or (t["message"] and t["status"] != "passed"):
            notes.append(f"  {t['target']}: {t['message']}")
    if notes:
        lines.append("")
        lines.append("Targets:")
        lines += notes
    shown = 0
    fails = []
    for t in result["targets"]:
        for c in t.get("cases", []):
            if not c["passed"]:
                fails.append((t, c))
    if fails:
        lines.append("")
        lines.append(f"Failed cases ({len(fails)}):")
        for t, c in fails:
            if shown >= MAX_FAILURES_SHOWN:
                lines.append(f"  ... and {len(fails) - shown} more (see summary.json and junit.xml)")
                break
            shown += 1
            f = c["failures"][0]
            seeds = sorted({x["seed"] for x in c["failures"]})
            lines.append(
                f"  {c['name']}  [{t['target']}]  {KIND_WORDS.get(f['kind'], f['kind'])} with seed"
                f"{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}"
            )
            if verbose_messages and f.get("message"):
                for ml in f["message"].splitlines()[:8]:
                    lines.append(f"      {ml}")
            lines.append(f"      replay: {f['replay']}" + ("   (hidden suite: instructor's kit only)" if t["hidden"] else ""))
            pages = [x["timeline"] for x in c["failures"] if x.get("timeline")]
            if pages:
                lines.append(f"      timeline: {pages[0]}   (open it in a browser)")
    if fails and any(t["hidden"] for t, _ in fails) and result.get("workspace"):
        lines.append("")
        lines.append(f"Hidden suites replay in the scratch workspace (until the next grading): cd {result['workspace']}")
    if sub.get("files_taken") is not None:
        lines.append("")
        lines.append("Submission: " + str(sub.get("source", "")))
        lines.append("  graded files: " + (", ".join(sub["files_taken"]) or "none"))
        if sub.get("missing"):
            lines.append("  not submitted (the stub was graded): " + ", ".join(sub["missing"]))
        for r in sub.get("refused", []):
            lines.append(f"  refused: {r['path']} {r['why']}")
        for n in sub.get("notes", []):
            lines.append(f"  note: {n}")
        if sub.get("ignored_total"):
            lines.append(
                f"  {sub['ignored_total']} other changed file(s) were ignored (only the student files are graded); see ignored_changes.txt"
            )
    return "\n".join(lines) + "\n"


def gradescope_json(result, hidden_visibility="after_published"):
    """Gradescope's results.json: one test per target, the build errors and the table in
    the top-level output."""
    tests = []
    for t in result["targets"]:
        if t["status"] == "skipped":
            continue
        out = [f"{t['passed']}/{t['total']} cases passed" if t["total"] else STATUS_WORDS.get(t["status"], t["status"])]
        if t["message"]:
            out.append(t["message"])
        for c in t.get("cases", []):
            if c["passed"]:
                continue
            f = c["failures"][0]
            seeds = sorted({x["seed"] for x in c["failures"]})
            out.append(f"\n{c['name']}: {KIND_WORDS.get(f['kind'], f['kind'])} (seed {', '.join(map(str, seeds))})")
            out.append(util.truncate_text(f.get("message", ""), 1500, 500))
            if not t["hidden"]:
                out.append(f"replay: {f['replay']}")
        tests.append(
            {
                "name": t["target"] + (" (hidden)" if t["hidden"] else ""),
                "score": t["points"],
                "max_score": t["max_points"],
                "status": "passed" if t["status"] == "passed" else "failed",
                "output": util.truncate_text("\n".join(out), 12000, 3000),
                "visibility": hidden_visibility if t["hidden"] else "visible",
            }
        )
    return {
        "score": result["score"],
        "execution_time": int(result.get("timing", {}).get("total", 0)),
        "output": util.truncate_text(text_report(result, verbose_messages=False), 20000, 5000),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def junit_xml(result):
    suites = ET.Element("testsuites", name=f"lab {result['lab']}", tests="0", failures="0")
    total = failures = 0
    if not result["build"].get("ok", True):
        s = ET.SubElement(suites, "testsuite", name="build", tests="1", failures="1")
        c = ET.SubElement(s, "testcase", classname="build", name="compile")
        f = ET.SubElement(c, "failure", message="the build failed")
        f.text = result["build"].get("errors", "")
        total, failures = 1, 1
    for t in result["targets"]:
        s = ET.SubElement(suites, "testsuite", name=t["target"])
        props = ET.SubElement(s, "properties")
        for k in ("points", "max_points", "scoring", "status", "hidden"):
            ET.SubElement(props, "property", name=k, value=str(t[k]))
        ET.SubElement(props, "property", name="seeds", value=",".join(map(str, t["seeds_run"])))
        n = nf = 0
        if not t.get("cases"):
            c = ET.SubElement(s, "testcase", classname=t["target"], name="(target)")
            if t["status"] == "skipped":
                ET.SubElement(c, "skipped", message=t["message"])
            else:
                f = ET.SubElement(c, "failure", message=t["message"] or t["status"])
                f.text = t["message"]
                nf += 1
            n += 1
        for case in t.get("cases", []):
            n += 1
            c = ET.SubElement(s, "testcase", classname=t["target"], name=case["name"])
            if not case["passed"]:
                nf += 1
                first = case["failures"][0]
                f = ET.SubElement(
                    c, "failure", message=f"{KIND_WORDS.get(first['kind'], first['kind'])} with seed {first['seed']}"
                )
                f.text = "\n\n".join(
                    f"seed {x['seed']} ({x['kind']}):\n{x.get('message', '')}\nreplay: {x.get('replay', '')}" for x in case["failures"]
                )
        s.set("tests", str(n))
        s.set("failures", str(nf))
        total, failures = total + n, failures + nf
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites) if hasattr(ET, "indent") else None
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def ignored_changes_text(result):
    sub = result.get("submission", {})
    lines = [
        "Files of the submission outside the lab's student files that differ from the kit.",
        "They were NOT graded: the pristine kit's version was used.",
        "",
    ]
    for ch in sub.get("ignored_changes", []):
        lines.append(f"{ch['change']:9} {ch['path']}")
    extra = sub.get("ignored_total", 0) - len(sub.get("ignored_changes", []))
    if extra > 0:
        lines.append(f"... and {extra} more")
    return "\n".join(lines) + "\n"


def write_reports(result, out_dir, hidden_visibility="after_published"):
    """Writes every report into out_dir (each file atomically); summary.json last, so its
    presence means the rest is there."""
    os.makedirs(out_dir, exist_ok=True)
    util.atomic_write(os.path.join(out_dir, "report.txt"), text_report(result))
    util.atomic_write_json(os.path.join(out_dir, "results.json"), gradescope_json(result, hidden_visibility))
    util.atomic_write(os.path.join(out_dir, "junit.xml"), junit_xml(result))
    if result.get("submission", {}).get("ignored_total"):
        util.atomic_write(os.path.join(out_dir, "ignored_changes.txt"), ignored_changes_text(result))
    util.atomic_write_json(os.path.join(out_dir, "summary.json"), result)
