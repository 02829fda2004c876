"""Reads the lab manifests (labs/lab_*.bzl, listed by labs/labs.bzl) without Bazel.

A manifest is Starlark, but only a small part of it: `load()` lines and top-level
assignments of literals (dicts, lists, strings, numbers, booleans, names bound earlier,
`+` of lists). That subset is also Python syntax, so the file is parsed with `ast` and the
assignments are evaluated by a tiny interpreter that accepts nothing else: no calls, no
attribute access, nothing that could run code. Function definitions (labs.bzl's macros)
are skipped.
"""

import ast
import os
import re

SCORINGS = ("proportional", "all_or_nothing")
LABEL_RE = re.compile(r"^//([A-Za-z0-9_./-]*):([A-Za-z0-9_.+=,@~-]+)$")


class ManifestError(Exception):
    """A manifest that cannot be read or does not follow labs/README.md."""


class _Unevaluable:
    """The value of an assignment outside the literal subset; an error only if used."""

    def __init__(self, where, why):
        self.where = where
        self.why = why


def label_path(label, root, current_pkg=""):
    """The file a .bzl label names: //labs:lab_2a.bzl or :lab_2a.bzl (same package)."""
    if label.startswith(":"):
        pkg, name = current_pkg, label[1:]
    else:
        m = LABEL_RE.match(label)
        if not m:
            raise ManifestError(f"not a label: {label!r}")
        pkg, name = m.group(1), m.group(2)
    return os.path.join(root, pkg, name)


def split_label(label):
    """('raft/tests', 'election_2aa_test') for //raft/tests:election_2aa_test."""
    m = LABEL_RE.match(label)
    if not m:
        raise ManifestError(f"not a target label (//package:name): {label!r}")
    return m.group(1), m.group(2)


class _Evaluator:
    """Evaluates the literal subset of Starlark used by manifests, one file at a time."""

    def __init__(self, root):
        self.root = root
        self.cache = {}  # path -> globals
        self.loading = []  # cycle detection

    def load_file(self, path):
        path = os.path.normpath(path)
        if path in self.cache:
            return self.cache[path]
        if path in self.loading:
            raise ManifestError("load() cycle: " + " -> ".join(self.loading + [path]))
        self.loading.append(path)
        try:
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                raise ManifestError(f"cannot read {path}: {e.strerror}") from None
            try:
                tree = ast.parse(text, filename=path)
            except SyntaxError as e:
                raise ManifestError(f"{path}:{e.lineno}: syntax error: {e.msg}") from None
            pkg = os.path.relpath(os.path.dirname(path), self.root).replace(os.sep, "/")
            env = {}
            for node in tree.body:
                self._statement(node, env, path, pkg)
            self.cache[path] = env
            return env
        finally:
            self.loading.pop()

    def _statement(self, node, env, path, pkg):
        where = f"{path}:{node.lineno}"
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Name) and call.func.id == "load":
                self._load(call, env, where, pkg)
            return  # other top-level calls (macros) do not bind names
        if isinstance(node, ast.Expr):
            return  # docstrings
        if isinstance(node, (ast.FunctionDef, ast.Pass)):
            return
        if isinstance(node, ast.Assign):
            try:
                value = self._value(node.value, env, where)
            except ManifestError as e:
                value = _Unevaluable(where, str(e))
            for target in node.targets:
                if isinstance(target, ast.Name):
                    env[target.id] = value
            return
        # Anything else (if, for, ...) at top level is outside the format; ignore it rather
        # than guess what it binds.

    def _load(self, call, env, where, pkg):
        args = call.args
        if not args or not _is_str(args[0]):
            raise ManifestError(f"{where}: load() needs a label string first")
        other = self.load_file(label_path(args[0].value, self.root, pkg))
        wanted = [(a.value, a.value) for a in args[1:] if _is_str(a)]
        wanted += [(k.arg, k.value.value) for k in call.keywords if _is_str(k.value)]
        for local, exported in wanted:
            if exported not in other:
                raise ManifestError(f"{where}: {args[0].value} has no {exported}")
            env[local] = other[exported]

    def _value(self, node, env, where):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
            return node.value
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.Name):
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            if node.id not in env:
                raise ManifestError(f"{where}: unknown name {node.id}")
            value = env[node.id]
            if isinstance(value, _Unevaluable):
                raise ManifestError(f"{where}: {node.id} cannot be read: {value.why}")
            return value
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self._value(e, env, where) for e in node.elts]
        if isinstance(node, ast.Dict):
            out = {}
            for k, v in zip(node.keys, node.values):
                if k is None:
                    raise ManifestError(f"{where}: ** in a dict is not supported")
                out[self._value(k, env, where)] = self._value(v, env, where)
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._value(node.left, env, where), self._value(node.right, env, where)
            if type(left) is not type(right) or not isinstance(left, (list, str, int, float)):
                raise ManifestError(f"{where}: + of {type(left).__name__} and {type(right).__name__}")
            return left + right
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = self._value(node.operand, env, where)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return -v
        raise ManifestError(f"{where}: only literals are allowed in manifests")


def _is_str(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


class TestSpec:
    """One graded test target of a lab."""

    def __init__(self, target, points, scoring="proportional", hidden=False, seeds=1, timeout=None, lab=""):
        self.target = target
        self.points = points
        self.scoring = scoring
        self.hidden = hidden
        self.seeds = seeds
        self.timeout = timeout
        self.lab = lab  # the lab whose manifest lists it (an included lab's name, for example)

    @property
    def package(self):
        return split_label(self.target)[0]

    @property
    def name(self):
        return split_label(self.target)[1]

    def __repr__(self):
        return f"TestSpec({self.target}, {self.points}, {self.scoring}, seeds={self.seeds})"


class Lab:
    def __init__(self, name, title, handout, student_files, includes, tests, source):
        self.name = name
        self.title = title
        self.handout = handout
        self.student_files = student_files
        self.includes = includes
        self.tests = tests
        self.source = source


def _check_lab(d, source):
    """A Lab from one manifest dict, or ManifestError saying what is wrong and where."""
    where = f"{source} (lab {d.get('name', '?')!r})"
    if not isinstance(d, dict):
        raise ManifestError(f"{source}: a lab must be a dict")
    unknown = set(d) - {"name", "title", "handout", "student_files", "includes", "tests"}
    if unknown:
        raise ManifestError(f"{where}: unknown keys {sorted(unknown)}")
    name = d.get("name")
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_-]+$", name):
        raise ManifestError(f"{where}: 'name' must be a short string such as '2a'")
    files = d.get("student_files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ManifestError(f"{where}: 'student_files' must be a list of paths")
    for f in files:
        norm = os.path.normpath(f)
        if f.startswith("/") or norm.startswith("..") or norm != f:
            raise ManifestError(f"{where}: student file {f!r} must be a plain relative path")
    includes = d.get("includes", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ManifestError(f"{where}: 'includes' must be a list of lab names")
    tests = []
    seen = set()
    for i, t in enumerate(d.get("tests", [])):
        tw = f"{where}, tests[{i}]"
        if not isinstance(t, dict):
            raise ManifestError(f"{tw}: must be a dict")
        unknown = set(t) - {"target", "points", "scoring", "hidden", "seeds", "timeout"}
        if unknown:
            raise ManifestError(f"{tw}: unknown keys {sorted(unknown)}")
        target = t.get("target")
        if not isinstance(target, str) or not LABEL_RE.match(target):
            raise ManifestError(f"{tw}: 'target' must be a label like //raft/tests:foo_test")
        if target in seen:
            raise ManifestError(f"{tw}: {target} is listed twice")
        seen.add(target)
        points = t.get("points")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise ManifestError(f"{tw}: 'points' must be a number >= 0")
        scoring = t.get("scoring", "proportional")
        if scoring not in SCORINGS:
            raise ManifestError(f"{tw}: 'scoring' must be one of {SCORINGS}, not {scoring!r}")
        hidden = t.get("hidden", False)
        if not isinstance(hidden, bool):
            raise ManifestError(f"{tw}: 'hidden' must be True or False")
        if hidden != target.startswith("//grader/hidden/"):
            raise ManifestError(f"{tw}: hidden targets live under //grader/hidden/ and only they are hidden")
        seeds = t.get("seeds", 1)
        if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
            raise ManifestError(f"{tw}: 'seeds' must be an integer >= 1")
        timeout = t.get("timeout")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1):
            raise ManifestError(f"{tw}: 'timeout' must be a number of seconds >= 1")
        tests.append(TestSpec(target, points, scoring, hidden, seeds, timeout, lab=name))
    return Lab(name, d.get("title", name), d.get("handout", ""), files, includes, tests, source)


def _looks_like_lab(value):
    return isinstance(value, dict) and "name" in value and "tests" in value


class Manifests:
    """Every lab of the kit, by name, in the order labs/labs.bzl lists them."""

    def __init__(self, labs, warnings=()):
        self.labs = labs
        self.by_name = {lab.name: lab for lab in labs}
        self.warnings = list(warnings)

    def names(self):
        return [lab.name for lab in self.labs]

    def get(self, name):
        if name not in self.by_name:
            raise ManifestError(f"no lab named {name!r}; the labs are: {', '.join(self.names())}")
        return self.by_name[name]

    def closure(self, name):
        """The lab and every lab it includes, transitively, each once, the lab first."""
        order, pending = [], [name]
        while pending:
            current = pending.pop(0)
            if current in order:
                continue
            order.append(current)
            pending += self.get(current).includes
        return [self.by_name[n] for n in order]

    def tests(self, name):
        """The lab's graded targets with those of its includes (a target listed twice counts once)."""
        out, seen = [], set()
        for lab in self.closure(name):
            for t in lab.tests:
                if t.target not in seen:
                    seen.add(t.target)
                    out.append(t)
        return out

    def student_files(self, name):
        out = []
        for lab in self.closure(name):
            out += [f for f in lab.student_files if f not in out]
        return out

    def all_student_files(self):
        out = []
        for lab in self.labs:
            out += [f for f in lab.student_files if f not in out]
        return out

    def max_points(self, name):
        return sum(t.points for t in self.tests(name))


def load_manifests(root):
    """Reads labs/labs.bzl (its LABS list) under the kit root `root`.

    Lab dicts found in labs/lab_*.bzl but missing from LABS are reported as warnings (students'
    //labs suites come from LABS only, so such a lab would be gradable but not runnable)."""
    labs_dir = os.path.join(root, "labs")
    ev = _Evaluator(root)
    env = ev.load_file(os.path.join(labs_dir, "labs.bzl"))
    if isinstance(env.get("LABS"), _Unevaluable):
        raise ManifestError(f"labs/labs.bzl: LABS cannot be read: {env['LABS'].why}")
    if not isinstance(env.get("LABS"), list):
        raise ManifestError(f"{labs_dir}/labs.bzl must define LABS, a list of lab dicts")
    labs, names = [], set()
    for d in env["LABS"]:
        lab = _check_lab(d, _source_of(ev, d) or "labs/labs.bzl")
        if lab.name in names:
            raise ManifestError(f"two labs are named {lab.name!r}")
        names.add(lab.name)
        labs.append(lab)
    for lab in labs:
        for inc in lab.includes:
            if inc not in names:
                raise ManifestError(f"{lab.source}: lab {lab.name!r} includes unknown lab {inc!r}")
    warnings = []
    owner = {}
    for lab in labs:
        for t in lab.tests:
            if t.target in owner:
                warnings.append(f"{t.target} is listed by lab {owner[t.target]!r} and by lab {lab.name!r}: use includes")
            owner.setdefault(t.target, lab.name)
    for fname in sorted(os.listdir(labs_dir)):
        if fname.startswith("lab_") and fname.endswith(".bzl"):
            fenv = ev.load_file(os.path.join(labs_dir, fname))
            for var, value in fenv.items():
                if _looks_like_lab(value) and value.get("name") not in names:
                    warnings.append(f"labs/{fname}: {var} (lab {value.get('name')!r}) is not in LABS of labs/labs.bzl")
    return Manifests(labs, warnings)


def _source_of(ev, d):
    """The manifest file that defines dict `d` (for error messages)."""
    for path, env in ev.cache.items():
        if os.path.basename(path) == "labs.bzl":
            continue
        for value in env.values():
            if value is d:
                return os.path.relpath(path, ev.root)
    return None
