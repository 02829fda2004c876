"""Writes the student release's own README.md, from the lab manifests and a template.

The kit's README is the instructor's: it promises `--config=reference`, reference demos and a
`reference/` folder, none of which a release has. The release gets a README of its own, made
when the release is cut, so it always lists the labs, suites and student files the manifests
list at that moment (grader/tests/release_test.py checks that it follows them).

The template (grader/release_readme.md.in) is Markdown with a few markers:
  {{LAB_TABLE}}     one row per lab: its suite, handout, public tests and the files to edit
  {{LAB_STEPS}}     the labs in order, each with its commands, tests and files
  {{FIRST_TEST}}    the first public target of the first lab that has one
  <!-- if exists: PATH --> ... [<!-- else --> ...] <!-- end -->
                    text kept only if PATH exists in the release (or the else part if not),
                    so the README never names a script that the release does not hold.
"""

import os
import re

from grader import manifest

TEMPLATE = os.path.join("grader", "release_readme.md.in")

# What a release does not have; the README must not tell a student to use any of it.
REFERENCE_ONLY = (
    "--config=reference",
    "reference/",
    "//reference",
    "grader/hidden",
    "//grader/hidden",
    "grader_selftest",
    "grader/selftest",
    "--reference-component",
)

_COND_RE = re.compile(
    r"<!-- if exists: (?P<path>[^ ]+) -->\n?(?P<then>.*?)(?:<!-- else -->\n?(?P<else>.*?))?<!-- end -->\n?",
    re.S,
)


class ReadmeError(Exception):
    pass


def _groups(ms):
    """The labs as a student meets them: a lab that includes others (2a = 2aa + 2ab + 2ac)
    stands at the place of its first part, its parts listed under it. Returns
    [(lab, [parts])], in manifest order."""
    part_of = {}
    for lab in ms.labs:
        for inc in lab.includes:
            part_of.setdefault(inc, lab.name)
    out, placed = [], set()
    for lab in ms.labs:
        top = lab.name
        while top in part_of:
            top = part_of[top]
        if top in placed:
            continue
        placed.add(top)
        parts = [ms.get(n) for n in _flat_parts(ms, top)]
        out.append((ms.get(top), parts))
    return out


def _flat_parts(ms, name):
    """The labs `name` includes, depth first, in the order listed (not itself)."""
    order = []
    for inc in ms.get(name).includes:
        for n in [inc] + _flat_parts(ms, inc):
            if n not in order:
                order.append(n)
    return order


def _public(ms, name):
    return [t for t in ms.tests(name) if not t.hidden]


def _lab_label(name):
    """'2aa' -> '2AA', '1' -> '1': how the handouts write lab names."""
    return name.upper()


def _handout_link(release, handout):
    if not handout:
        return "—"
    link = f"[{handout}]({handout})"
    zh = os.path.join(os.path.dirname(handout), "zh", os.path.basename(handout))
    if os.path.isfile(os.path.join(release, zh)):
        link += f" ([中文]({zh}))"
    return link


def _files_summary(ms, lab, earlier):
    """The lab's student files as a short phrase: new files listed, files of an earlier lab
    named by that lab ('your Raft from 2A')."""
    new = [f for f in ms.student_files(lab.name) if f not in earlier]
    carried = [f for f in ms.student_files(lab.name) if f in earlier]
    parts = [", ".join(f"`{f}`" for f in new)] if new else []
    by_lab = {}
    for f in carried:
        by_lab.setdefault(earlier[f], []).append(f)
    for name, files in by_lab.items():
        parts.append(f"your files of lab {_lab_label(name)} (" + ", ".join(f"`{f}`" for f in files) + ")")
    text = "; ".join(parts) or "—"
    if carried:
        text += f", at the markers `// Your Code Here ({_lab_label(lab.name)}).`"
    return text


def lab_table(ms, release):
    rows = [
        "| lab | what you build | handout | run it | public tests (points) |",
        "|---|---|---|---|---|",
    ]
    for top, parts in _groups(ms):
        for lab in parts + [top]:
            tests = ", ".join(f"`{t.target}` ({t.points:g})" for t in _public(ms, lab.name) if t.lab == lab.name)
            if not tests and lab.includes:
                tests = "all of " + ", ".join(_lab_label(n) for n in lab.includes)
            rows.append(
                f"| {_lab_label(lab.name)} | {lab.title} | {_handout_link(release, lab.handout)} | "
                f"`bazel test //labs:{lab.name}` | {tests or '—'} |"
            )
    return "\n".join(rows)


def lab_steps(ms, release):
    out = []
    earlier = {}  # student file -> the first lab (group) that lists it
    for i, (top, parts) in enumerate(_groups(ms), 1):
        title = re.sub(r"\s*\(all of [^)]*\)$", "", top.title)  # "Raft (all of 2A)" -> "Raft"
        out.append(f"### {i}. Lab {_lab_label(top.name)}: {title}")
        out.append("")
        if top.handout:
            out.append(f"Read {_handout_link(release, top.handout)} first.")
            out.append("")
        out.append(f"You edit: {_files_summary(ms, top, earlier)}.")
        out.append("")
        out.append("```sh")
        width = max(len(f"bazel test //labs:{lab.name}") for lab in parts + [top])
        for lab in parts:
            cmd = f"bazel test //labs:{lab.name}"
            out.append(f"{cmd:<{width}}   # {_lab_label(lab.name)}: {lab.title}")
        cmd = f"bazel test //labs:{top.name}"
        what = f"all of {_lab_label(top.name)}" if parts else top.title
        out.append(f"{cmd:<{width}}   # {what}")
        out.append("```")
        out.append("")
        targets = _public(ms, top.name)
        out.append("The suite runs " + ", ".join(f"`{t.target}`" for t in targets) + ".")
        out.append("")
        for f in ms.student_files(top.name):
            earlier.setdefault(f, top.name)
    return "\n".join(out).rstrip() + "\n"


def first_test(ms):
    for lab in ms.labs:
        for t in lab.tests:
            if not t.hidden:
                return t.target
    raise ReadmeError("no lab has a public test")


def _conditionals(text, release):
    def pick(m):
        if os.path.exists(os.path.join(release, m.group("path"))):
            return m.group("then")
        return m.group("else") or ""

    return _COND_RE.sub(pick, text)


def render(release, template_text=None):
    """The README for the release tree at `release` (its manifests, docs and scripts)."""
    ms = manifest.load_manifests(release)
    if template_text is None:
        path = os.path.join(release, TEMPLATE)
        try:
            with open(path, encoding="utf-8") as f:
                template_text = f.read()
        except OSError as e:
            raise ReadmeError(f"cannot read the release README template {TEMPLATE}: {e.strerror}") from None
    text = _conditionals(template_text, release)
    text = text.replace("{{LAB_TABLE}}", lab_table(ms, release))
    text = text.replace("{{LAB_STEPS}}", lab_steps(ms, release))
    text = text.replace("{{FIRST_TEST}}", first_test(ms))
    left = re.findall(r"\{\{[A-Z_]+\}\}|<!-- (?:if exists|else|end)[^>]*-->", text)
    if left:
        raise ReadmeError(f"{TEMPLATE}: unknown or unbalanced markers: {', '.join(sorted(set(left)))}")
    return text


def problems(text, release):
    """What is wrong with a release README: a reference-only command, a link or a script path
    that the release does not hold, a lab or public suite target of the manifests it omits."""
    found = []
    for word in REFERENCE_ONLY:
        for lineno, line in enumerate(text.splitlines(), 1):
            if word in line:
                found.append(f"line {lineno}: names {word!r}, which a release does not have: {line.strip()}")
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if "://" not in target and not os.path.exists(os.path.join(release, target)):
            found.append(f"links {target}, which is not in the release")
    for script in sorted(set(re.findall(r"\bscripts/[A-Za-z0-9_.-]+", text))):
        if not os.path.exists(os.path.join(release, script)):
            found.append(f"names {script}, which is not in the release")
    found += _broken_anchors(text, release)
    ms = manifest.load_manifests(release)
    for lab in ms.labs:
        if f"//labs:{lab.name}`" not in text:
            found.append(f"lab {lab.name}: `bazel test //labs:{lab.name}` is missing")
        for t in lab.tests:
            if not t.hidden and t.target not in text:
                found.append(f"lab {lab.name}: its public suite {t.target} is missing")
        for f in lab.student_files:
            if f"`{f}`" not in text:
                found.append(f"lab {lab.name}: its student file {f} is missing")
        if lab.handout and f"({lab.handout})" not in text:
            found.append(f"lab {lab.name}: its handout {lab.handout} is not linked")
    return found


def anchor(heading):
    """The fragment GitHub gives a Markdown heading: lower case, punctuation dropped, spaces
    as hyphens ("Set up your editor" -> "set-up-your-editor")."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(text):
    out, in_code = set(), False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            out.add(anchor(line.lstrip("#")))
    return out


def _broken_anchors(text, release):
    """Links to a section of the README (its own `#x`, or `README.md#x` from a page of the
    release, such as a handout's "Set up your editor") that the new README does not have."""
    have = _anchors(text)
    found = []
    for frag in re.findall(r"\]\(#([^)\s]+)\)", text):
        if frag not in have:
            found.append(f"links its own section #{frag}, which it does not have")
    readme = os.path.join(os.path.abspath(release), "README.md")
    for dirpath, dirnames, filenames in os.walk(release):
        dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith("bazel-")]
        for name in filenames:
            if not name.endswith(".md") or os.path.join(dirpath, name) == readme:
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                page = f.read()
            for target, frag in re.findall(r"\]\(([^)#\s]*README\.md)#([^)\s]+)\)", page):
                if os.path.normpath(os.path.join(dirpath, target)) == readme and frag not in have:
                    rel = os.path.relpath(path, release)
                    found.append(f"{rel} links README.md#{frag}, a section the student README does not have")
    return found


# Translations of the kit's README (the instructor's). The release replaces README.md, so a
# twin the new README does not link would promise, in another language, what the release lacks.
README_TWINS = ("docs/zh/README.md",)


def drop_stale_twins(release):
    """Removes README translations that the release's README does not link; returns them."""
    with open(os.path.join(release, "README.md"), encoding="utf-8") as f:
        text = f.read()
    dropped = []
    for twin in README_TWINS:
        path = os.path.join(release, twin)
        if os.path.isfile(path) and f"({twin})" not in text:
            os.unlink(path)
            dropped.append(twin)
    return dropped


def write(release):
    """Replaces the release's README.md with the student's own; raises ReadmeError if the
    result names anything the release lacks."""
    text = render(release)
    found = problems(text, release)
    if found:
        raise ReadmeError("the student README is wrong:\n  " + "\n  ".join(found))
    with open(os.path.join(release, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return text
