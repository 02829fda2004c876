#!/usr/bin/env python3
"""Keeps each English handout and its Chinese twin in docs/zh/ in step.

Why: the Chinese pages are translations that students follow word for word. A command, a
Bazel target, a file path or a test name that changed in the English page but not in the
Chinese one sends a student to run something that no longer exists; a new English section
that was never translated is a rule the Chinese reader never hears of. Prose can't be compared
across languages, but these can, because they stay in English in both.

The convention (also written for translators at the end of docs/zh/README.md):
- every heading of a zh page is followed on the next line by `<!-- en: English heading -->`
  naming the English heading it translates (same level), or by `<!-- zh-only -->` for a
  section only the Chinese page has (its content is not compared);
- the English page has `[中文版](zh/NAME.md)` as the first line under its title (README.md:
  `[中文版](docs/zh/README.md)`); the zh page has `[English](../NAME.md)` under its title
  (README: `[English](../../README.md)`).

Checked, per pair: (a) every English heading has exactly one zh heading naming it, and every
`en:` comment names an existing English heading; (b) within each pair of sections the checked
tokens are equal as sets: inline code spans (verbatim), command lines of fenced code blocks
(comments after `#` may be translated), and, in prose and other code lines, Bazel labels,
repository file paths, gtest names and `--flags`; links are not compared (a zh page links the
zh twins); (c) the links between the twins exist, and every relative link of a zh page into
docs/ (pages, ../img/ images) resolves.

Run: bazel test //docs:zh_sync_test, or python3 docs/zh_sync.py from the kit root.
"""
import os
import re
import sys

# The pairs every kit has. A missing zh page is an error, except for pages listed as
# pending: those are being translated, and are checked in full as soon as the file exists.
PAIRS = [
    ("README.md", "docs/zh/README.md"),
    ("docs/lab1.md", "docs/zh/lab1.md"),
    ("docs/lab2a.md", "docs/zh/lab2a.md"),
    ("docs/lab2b.md", "docs/zh/lab2b.md"),
    ("docs/lab2c.md", "docs/zh/lab2c.md"),
    ("docs/debugging.md", "docs/zh/debugging.md"),
]
PENDING_WHEN_ABSENT = {"docs/zh/lab2c.md"}
# The student release replaces README.md with one generated for students (grader/release.py);
# a release without a Chinese twin of that README leaves out docs/zh/README.md and the link,
# and is consistent. Absent while README.md still links it is an error, as for any page.
OPTIONAL_WHEN_UNLINKED = {"docs/zh/README.md"}

# README.md is half for students and half for instructors (the reference implementation,
# benchmarks, the repository layout: docs/instructor.md has the rest). docs/zh/README.md
# translates only the student part, so only these English headings must have a zh twin. A
# new student section of README.md goes here together with its translation.
README_COVERED = [
    "TinyKV in C++ — a Raft lab kit",
    "The two commands",
    "Student workflow",
    # A heading listed here that README.md does not have (yet) is simply not expected.
    "Set up your editor",
]
PARTIAL = {"README.md": README_COVERED}

# First path components that make a slash-separated word a repository path even without
# a file extension (`kv/engine_util`, `raftstore/runtime`).
TOP_DIRS = {
    ".ci", "bazel-bin", "bazel-testlogs", "bench", "demo", "docs", "grader", "kv", "labs",
    "proto", "raft", "raftstore", "reference", "scripts", "testutil", "third_party",
    "timeline",
}
FILE_EXTS = ("h", "cc", "md", "bzl", "proto", "py", "sh", "html", "zip", "png", "json",
             "txt", "xml", "bazelrc", "clang-format")
COMMAND_STARTS = ("bazel ", "scripts/", "./scripts/", "python3 ", "bash ")

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```+|~~~+)")
EN_COMMENT = re.compile(r"^\s*<!--\s*en:\s*(.*?)\s*-->\s*$")
ZH_ONLY = re.compile(r"^\s*<!--\s*zh-only\s*-->\s*$")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)")
# ASCII only: in Chinese text a path is followed directly by CJK characters or punctuation.
LABEL = re.compile(r"(?<![A-Za-z0-9_.-])(?:@[A-Za-z0-9_]+)?//[A-Za-z0-9_/.-]*:[A-Za-z0-9_.*+-]+")
FLAG = re.compile(r"(?<![A-Za-z0-9_-])--[a-z][a-z0-9_-]*(?:=[A-Za-z0-9_./*=:'\"<>-]*)?")
GTEST = re.compile(r"(?<![A-Za-z0-9_])(?:Raftstore|Raft|Lab)[0-9][A-Za-z0-9]*\.(?:[A-Za-z0-9_*]+)")
PATH = re.compile(r"(?<![A-Za-z0-9_./:<>*-])/?(?:[A-Za-z0-9_.*<>-]+/)+[A-Za-z0-9_.*<>-]*")
FILE = re.compile(r"(?<![A-Za-z0-9_./-])[A-Za-z0-9_*-]+\.(?:%s)(?![A-Za-z0-9_])" %
                  "|".join(re.escape(e) for e in FILE_EXTS))
SHELL_COMMENT = re.compile(r"(^|\s)#(\s.*)?$")
CPP_COMMENT = re.compile(r"(^|\s)//(\s.*)?$")

KIND_NAMES = {
    "code": "inline code",
    "cmd": "command",
    "label": "Bazel label",
    "flag": "flag",
    "test": "test name",
    "path": "file path",
}


class Section:
    def __init__(self, level, title, line):
        self.level = level
        self.title = title
        self.line = line  # 1-based line of the heading
        self.en = None  # zh pages: the English heading named by the comment
        self.zh_only = False
        self.comment_problem = None
        self.prose = []
        self.code = []  # (fence info string, line)


def parse(text):
    """The page's sections, in order. Text before the first heading is dropped (a page starts
    with its title). Headings inside fenced code blocks are code, not headings."""
    sections = []
    lines = text.split("\n")
    fence = None
    info = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            elif sections:
                sections[-1].code.append((info, line))
            i += 1
            continue
        if m:
            fence = m.group(1)
            info = line.strip()[len(fence):].strip()
            i += 1
            continue
        h = HEADING.match(line)
        if h:
            s = Section(len(h.group(1)), h.group(2), i + 1)
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            en = EN_COMMENT.match(nxt)
            if en:
                s.en = en.group(1)
                i += 1
            elif ZH_ONLY.match(nxt):
                s.zh_only = True
                i += 1
            else:
                s.comment_problem = nxt
            s.prose.append(h.group(2))
            sections.append(s)
        elif sections:
            sections[-1].prose.append(line)
        i += 1
    return sections


def _scan(text, tokens):
    """Labels, flags, test names and repository paths in text without code spans."""
    for kind, rx in (("label", LABEL), ("flag", FLAG), ("test", GTEST)):
        for m in rx.finditer(text):
            # A sentence may end right after a token: "... with --seeds=20."
            tokens.add((kind, m.group(0).rstrip(".,:;")))
        text = rx.sub(" ", text)
    for m in PATH.finditer(text):
        p = m.group(0).rstrip(".,:;")
        parts = p.lstrip("/").split("/")
        if len(parts) < 2 or not parts[0] and not parts[1]:
            continue
        is_file = re.search(r"\.(%s)$" % "|".join(re.escape(e) for e in FILE_EXTS), p)
        if p.startswith("/") or parts[0] in TOP_DIRS or is_file:
            tokens.add(("path", p))
    text = PATH.sub(" ", text)
    for m in FILE.finditer(text):
        tokens.add(("path", m.group(0).rstrip(".,:;")))


def tokens_of(section):
    """The set of (kind, text) a translation must keep unchanged."""
    tokens = set()
    prose = HTML_COMMENT.sub(" ", "\n".join(section.prose))
    for m in CODE_SPAN.finditer(prose):
        tokens.add(("code", " ".join(m.group(2).split())))
    prose = CODE_SPAN.sub(" ", prose)
    prose = LINK.sub(" ", prose)
    _scan(prose, tokens)
    code = []  # shell lines continued with a backslash are one command
    for info, line in section.code:
        if code and code[-1][1].rstrip().endswith("\\") and code[-1][0] == info:
            code[-1] = (info, code[-1][1].rstrip()[:-1] + " " + line)
        else:
            code.append((info, line))
    for info, line in code:
        stripped = SHELL_COMMENT.sub("", line).strip()
        if stripped.startswith(COMMAND_STARTS):
            tokens.add(("cmd", " ".join(stripped.split())))
            continue
        if info in ("cpp", "c++", "cc"):
            stripped = CPP_COMMENT.sub("", line).strip()
        _scan(stripped, tokens)
    return tokens


def _show(tokens):
    return "; ".join("%s `%s`" % (KIND_NAMES[k], v) for k, v in sorted(tokens))


def _first_line_under(lines, start):
    """The first non-blank line after line index start (and after an en:/zh-only comment)."""
    for line in lines[start + 1:]:
        if EN_COMMENT.match(line) or ZH_ONLY.match(line) or not line.strip():
            continue
        return line.strip()
    return ""


def _rel(from_path, to_path):
    return os.path.relpath(to_path, os.path.dirname(from_path)).replace(os.sep, "/")


def check_pair(en_path, en_text, zh_path, zh_text, covered=None):
    """Problems (strings) of one pair; empty when the twins are in step. covered: the English
    headings the zh page translates, when it translates only part of the page."""
    problems = []
    en_secs = parse(en_text)
    zh_secs = parse(zh_text)
    if not en_secs:
        return ["%s: has no title heading" % en_path]
    if not zh_secs:
        return ["%s: has no title heading (the translation of %s starts with its title, "
                "followed by <!-- en: %s -->)" % (zh_path, en_path, en_secs[0].title)]

    # (c) links between the twins, first line under each title.
    en_lines = en_text.split("\n")
    want = "[中文版](%s)" % _rel(en_path, zh_path)
    got = _first_line_under(en_lines, en_secs[0].line - 1)
    if got != want:
        problems.append("%s: the first line under its title must be the link to its Chinese twin "
                        "`%s` (found `%s`)" % (en_path, want, got))
    zh_lines = zh_text.split("\n")
    want = "[English](%s)" % _rel(zh_path, en_path)
    got = _first_line_under(zh_lines, zh_secs[0].line - 1)
    if got != want:
        problems.append("%s: the first line under its title (and its en: comment) must be the "
                        "link back `%s` (found `%s`)" % (zh_path, want, got))

    # (a) sections. English headings are keyed by (title, occurrence) so that a page may
    # repeat a heading; the zh page names them in the same order.
    def keyed(titles):
        seen = {}
        out = []
        for t in titles:
            seen[t] = seen.get(t, 0) + 1
            out.append((t, seen[t]))
        return out

    en_keys = keyed([s.title for s in en_secs])
    en_by_key = dict(zip(en_keys, en_secs))
    wanted = [k for k in en_keys if covered is None or k[0] in covered]
    for s in zh_secs:
        if s.comment_problem is not None:
            problems.append(
                "%s line %d: heading '%s' is not followed by <!-- en: ENGLISH HEADING --> (or "
                "<!-- zh-only --> for a section only the Chinese page has); the next line is "
                "'%s'" % (zh_path, s.line, s.title, s.comment_problem.strip()))
    named = [s for s in zh_secs if s.en is not None]
    zh_keys = keyed([s.en for s in named])
    zh_by_key = {}
    for key, s in zip(zh_keys, named):
        if key not in en_by_key:
            problems.append(
                "%s line %d: stale section '%s': it says <!-- en: %s -->, but %s has no heading "
                "'%s'. If the English section was renamed, put its new heading in the comment; "
                "if it was removed, remove the Chinese section too."
                % (zh_path, s.line, s.title, s.en, en_path, s.en))
            continue
        if key not in wanted:
            problems.append(
                "%s line %d: section '%s' translates '%s', which the checker does not expect in "
                "the Chinese page; add the heading to README_COVERED in docs/zh_sync.py if it "
                "is a student section" % (zh_path, s.line, s.title, s.en))
            continue
        zh_by_key[key] = s
        en = en_by_key[key]
        if en.level != s.level:
            problems.append(
                "%s line %d: section '%s' is a level-%d heading, but the English '%s' (%s line "
                "%d) is level %d: use %s" % (zh_path, s.line, s.title, s.level, en.title, en_path,
                                             en.line, en.level, "#" * en.level))
    for key in wanted:
        if key in zh_by_key:
            continue
        en = en_by_key[key]
        problems.append(
            "%s: missing section: translate the new section '%s' of %s (line %d) into %s, as a "
            "heading followed by <!-- en: %s -->, or, if the English heading was only renamed, "
            "update the en: comment of its Chinese section" % (zh_path, en.title, en_path, en.line,
                                                               zh_path, en.title))

    # (b) tokens, section by section.
    for key, zh in zh_by_key.items():
        en = en_by_key[key]
        en_t, zh_t = tokens_of(en), tokens_of(zh)
        missing, extra = en_t - zh_t, zh_t - en_t
        if not missing and not extra:
            continue
        msg = "%s, section '%s' (English: '%s', %s line %d) is out of step:" % (
            zh_path, zh.title, en.title, en_path, en.line)
        if missing:
            msg += "\n    missing in the Chinese section: " + _show(missing)
        if extra:
            msg += "\n    only in the Chinese section: " + _show(extra)
        msg += ("\n    Carry the change of section '%s' of %s over to %s (commands, targets, "
                "paths and test names stay exactly as in English), or fix the English page if "
                "the Chinese one is right." % (en.title, en_path, zh_path))
        problems.append(msg)
    return problems


def check_repo(root):
    """(problems, notes) for every pair under the kit root."""
    problems, notes = [], []
    pairs = list(PAIRS)
    zh_dir = os.path.join(root, "docs", "zh")
    known = {zh for _, zh in pairs}
    if os.path.isdir(zh_dir):
        for name in sorted(os.listdir(zh_dir)):
            zh = "docs/zh/" + name
            if name.endswith(".md") and zh not in known:
                pairs.append(("docs/" + name, zh))

    def read(rel):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            return f.read()

    for en, zh in pairs:
        if not os.path.exists(os.path.join(root, en)):
            problems.append("%s has no English original %s: a zh page translates an English one"
                            % (zh, en))
            continue
        if not os.path.exists(os.path.join(root, zh)):
            if zh in OPTIONAL_WHEN_UNLINKED and "[中文版](" not in read(en):
                notes.append("%s: absent and %s does not link it (a student release), skipped"
                             % (zh, en))
            elif zh in PENDING_WHEN_ABSENT:
                notes.append("%s: pending (not translated yet), skipped" % zh)
                if "[中文版](" in read(en):
                    problems.append("%s links its Chinese twin, but %s does not exist" % (en, zh))
            else:
                problems.append("%s: missing; it is the Chinese twin of %s" % (zh, en))
            continue
        problems += check_pair(en, read(en), zh, read(zh), PARTIAL.get(en))
        problems += check_links(root, zh, read(zh), notes)
    return problems, notes


LINK_TARGET = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")


def check_links(root, zh_path, zh_text, notes):
    """A zh page sits one folder deeper than its English original, so a link copied from it
    points nowhere: every relative link into docs/ (pages, ../img/ images) or to README.md must
    name a file that exists. Links elsewhere are not checked (the test sees only docs/)."""
    problems = []
    text = CODE_SPAN.sub(" ", re.sub(r"```.*?```", "", zh_text, flags=re.S))
    for m in LINK_TARGET.finditer(text):
        target = m.group(1).split("#")[0]
        if not target or re.match(r"^[a-z]+:", target):
            continue
        rel = os.path.normpath(os.path.join(os.path.dirname(zh_path), target)).replace(os.sep, "/")
        if not (rel.startswith("docs/") or rel == "README.md"):
            continue
        if os.path.exists(os.path.join(root, rel)):
            continue
        if rel in PENDING_WHEN_ABSENT:
            notes.append("%s links %s, which is pending" % (zh_path, rel))
            continue
        problems.append("%s: the link `%s` points to %s, which does not exist (links in docs/zh/ "
                        "are relative to docs/zh/: an image is ../img/NAME.png, an English page "
                        "../NAME.md)" % (zh_path, m.group(0), rel))
    return problems


def main(argv):
    root = argv[1] if len(argv) > 1 else os.getcwd()
    problems, notes = check_repo(root)
    for n in notes:
        print("note: " + n)
    for p in problems:
        print("FAIL: " + p)
    if problems:
        print("%d problem(s): the Chinese handouts in docs/zh/ are out of step with the English "
              "ones (convention: the end of docs/zh/README.md)" % len(problems))
        return 1
    print("docs/zh: every pair in step")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
