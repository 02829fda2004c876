#!/usr/bin/env python3
"""Writes compile_commands.json for editors (clangd, CLion) from Bazel's own action graph.

Bazel 4 has no built-in way to do this, so: `bazel aquery` lists every C++ compile action of
the workspace (the exact flags Bazel passes to the compiler), and each is rewritten so that it
works from the kit root, outside Bazel's sandbox:
  - include paths into bazel-out/ (generated protobuf headers) and external/ (the local
    repositories) become real absolute paths;
  - a `_virtual_includes` folder (a library with strip_include_prefix, such as the reference
    files under --config=reference) becomes the source folder it mirrors, searched before the
    kit root: outside the sandbox every file of the tree is visible, and the student's
    raft/raft.h must not shadow the reference's;
  - flags only GCC knows are dropped (clangd parses with clang), as are the dependency-file
    and output flags that mean nothing to an editor.
Generated headers must exist for an editor to find them, so the script first builds the
compilation prerequisites of //... (protobuf headers, header symlinks; nothing is compiled).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

KIT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# GCC flags that clang does not know (it would warn "unknown warning option" on every file).
GCC_ONLY_FLAGS = {
    "-fno-canonical-system-headers",
    "-Wno-maybe-uninitialized",
    "-Wunused-but-set-parameter",
    "-Wno-free-nonheap-object",
}
# Flags that name Bazel's output files; with their argument where they take one.
OUTPUT_FLAGS_WITH_ARG = {"-MF", "-o", "-MT", "-MQ"}
OUTPUT_FLAGS = {"-MD", "-MMD"}
OUTPUT_FLAG_PREFIXES = ("-frandom-seed=",)
INCLUDE_FLAGS = ("-iquote", "-isystem", "-idirafter", "-I")  # -I last: a prefix test
SOURCE_EXTENSIONS = (".cc", ".cpp", ".cxx", ".c")


class CompdbError(Exception):
    pass


def path_of(fragments, fid):
    """The path an aquery pathFragment id stands for (fragments are stored as a tree)."""
    parts = []
    while fid:
        f = fragments[fid]
        parts.append(f["label"])
        fid = f.get("parentId", 0)
    return "/".join(reversed(parts))


def artifact_paths(graph):
    fragments = {f["id"]: f for f in graph.get("pathFragments", [])}
    return {a["id"]: path_of(fragments, a["pathFragmentId"]) for a in graph.get("artifacts", [])}


def depset_files(graph, ids, paths):
    """Every file of the given depSetOfFiles ids, transitively."""
    sets = {d["id"]: d for d in graph.get("depSetOfFiles", [])}
    out, seen, todo = [], set(), list(ids)
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        d = sets[i]
        out += [paths[a] for a in d.get("directArtifactIds", [])]
        todo += d.get("transitiveDepSetIds", [])
    return out


def virtual_include_roots(graph, paths):
    """{bazel-out/.../_virtual_includes/NAME: the source folder it mirrors} from the Symlink
    actions that fill those folders (e.g. .../reference/raft/_virtual_includes/raft ->
    reference, since raft/raft.h there is reference/raft/raft.h)."""
    roots = {}
    for a in graph.get("actions", []):
        if a.get("mnemonic") != "Symlink":
            continue
        for oid in a.get("outputIds", []):
            out = paths[oid]
            if "/_virtual_includes/" not in out:
                continue
            head, rel = out.split("/_virtual_includes/", 1)
            name, rel = rel.split("/", 1)
            for src in depset_files(graph, a.get("inputDepSetIds", []), paths):
                if src.endswith("/" + rel) and not src.startswith("bazel-out/"):
                    roots[f"{head}/_virtual_includes/{name}"] = src[: -len(rel) - 1]
    return roots


class Resolver:
    """Turns a path relative to Bazel's execution root into the real path an editor uses."""

    def __init__(self, kit, execution_root, output_base, virtual_roots):
        self.kit = kit
        self.execution_root = execution_root
        self.output_base = output_base
        self.virtual_roots = virtual_roots

    def __call__(self, p):
        if os.path.isabs(p):
            return p
        p = os.path.normpath(p)
        if p in self.virtual_roots:
            return os.path.join(self.kit, self.virtual_roots[p])
        if p == "." or not (p.startswith("bazel-out") or p.startswith("external")):
            return os.path.normpath(os.path.join(self.kit, p))
        if p.startswith("external/") or p == "external":
            return os.path.realpath(os.path.join(self.output_base, p))
        return os.path.realpath(os.path.join(self.execution_root, p))


def rewrite(args, resolve, virtual_roots):
    """(source file, editor arguments) for one CppCompile action's arguments."""
    out, source, first_include, mirrored = [args[0]], None, None, []
    i = 1
    while i < len(args):
        a = args[i]
        if a in OUTPUT_FLAGS_WITH_ARG:
            i += 2
            continue
        if a in OUTPUT_FLAGS or a in GCC_ONLY_FLAGS or a.startswith(OUTPUT_FLAG_PREFIXES):
            i += 1
            continue
        if a == "-c" and i + 1 < len(args):
            source = args[i + 1]
            out += ["-c", resolve(source)]
            i += 2
            continue
        flag = next((f for f in INCLUDE_FLAGS if a.startswith(f)), None)
        if flag is not None:
            if a == flag:
                if i + 1 >= len(args):
                    raise CompdbError(f"{flag} without a folder in {args}")
                d, i = args[i + 1], i + 2
            else:
                d, i = a[len(flag):], i + 1
            if first_include is None:
                first_include = len(out)
            if os.path.normpath(d) in virtual_roots:
                mirrored.append(resolve(d))
            out += [flag, resolve(d)]
            continue
        out.append(a)
        i += 1
    if source is None:
        raise CompdbError(f"a compile action without -c: {args}")
    # The mirrored source folders go first: outside the sandbox "raft/raft.h" would otherwise
    # be found at the kit root (the student's file) before the reference's.
    if mirrored and first_include is not None:
        front = []
        for d in dict.fromkeys(mirrored):
            front += ["-iquote", d]
        out[first_include:first_include] = front
    return source, out


def entries(graph, resolve, kit):
    """The compile_commands.json entries of every workspace source file, one per file."""
    virtual_roots = resolve.virtual_roots
    by_file = {}
    for a in graph.get("actions", []):
        if a.get("mnemonic") != "CppCompile":
            continue
        source, args = rewrite(a["arguments"], resolve, virtual_roots)
        if source.startswith(("external/", "bazel-out/")) or not source.endswith(SOURCE_EXTENSIONS):
            continue
        file = os.path.join(kit, source)
        # The same file in two actions (pic and non-pic) has the same flags but -fPIC: keep one.
        by_file.setdefault(file, {"directory": kit, "file": file, "arguments": args})
    return [by_file[f] for f in sorted(by_file)]


def write_atomically(path, data):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".compile_commands.", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def bazel(cmd, kit, *args, capture=True):
    r = subprocess.run([cmd, *args], cwd=kit, capture_output=capture, text=True)
    if r.returncode != 0:
        tail = (r.stderr or "").strip().splitlines()[-15:] if capture else []
        raise CompdbError(f"`{cmd} {' '.join(args)}` failed (exit {r.returncode})" + ("\n" + "\n".join(tail) if tail else ""))
    return r.stdout


def main(argv=None):
    p = argparse.ArgumentParser(prog="scripts/compdb.sh", description=__doc__.split("\n\n")[0])
    p.add_argument("--config", action="append", default=[],
                   help="a Bazel --config, e.g. reference (default: the student build)")
    p.add_argument("--output", help="the folder to write compile_commands.json into (default: the kit root)")
    p.add_argument("--bazel", default="bazel")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    kit = KIT_ROOT
    if any(c.startswith("reference") for c in a.config) and not os.path.isdir(os.path.join(kit, "reference")):
        raise CompdbError("--config=reference needs reference/, which this tree (a student release) does not have")
    flags = [f"--config={c}" for c in a.config]
    say = (lambda m: None) if a.quiet else (lambda m: print(m, file=sys.stderr))
    say("compdb: building the generated headers (bazel build --output_groups=compilation_prerequisites_INTERNAL_ //...)")
    bazel(a.bazel, kit, "build", *flags, "--output_groups=compilation_prerequisites_INTERNAL_", "//...")
    say("compdb: reading the compile actions (bazel aquery)")
    graph = json.loads(bazel(a.bazel, kit, "aquery", *flags, 'mnemonic("CppCompile|Symlink", //...)', "--output=jsonproto"))
    info = dict(line.split(": ", 1) for line in bazel(a.bazel, kit, "info", *flags, "execution_root", "output_base").splitlines())
    virtual_roots = virtual_include_roots(graph, artifact_paths(graph))
    resolve = Resolver(kit, info["execution_root"], info["output_base"], virtual_roots)
    data = entries(graph, resolve, kit)
    out = os.path.join(os.path.abspath(a.output or kit), "compile_commands.json")
    write_atomically(out, data)
    what = ", ".join(flags) if flags else "the student build"
    print(f"compdb: wrote {out}: {len(data)} source files, {what}; "
          f"headers of generated protobuf code and external repositories resolved under {info['output_base']}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CompdbError as e:
        print(f"compdb: {e}", file=sys.stderr)
        sys.exit(1)
