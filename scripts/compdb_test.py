"""scripts/compdb.py on a small aquery graph: paths resolved for an editor, GCC-only and
output flags dropped, the reference's mirrored headers searched first, one entry per file."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compdb  # noqa: E402

KIT = "/home/student/tinykv"
EXECROOT = "/cache/bazel/abc/execroot/tinykv"
OUTPUT_BASE = "/cache/bazel/abc"


class Graph:
    """Builds an aquery jsonproto graph: paths are stored as a tree of fragments."""

    def __init__(self):
        self.g = {"artifacts": [], "actions": [], "depSetOfFiles": [], "pathFragments": []}
        self.frags = {}

    def frag(self, path):
        parent = 0
        for i, part in enumerate(path.split("/")):
            key = "/".join(path.split("/")[: i + 1])
            if key not in self.frags:
                fid = len(self.frags) + 1
                self.frags[key] = fid
                f = {"id": fid, "label": part}
                if parent:
                    f["parentId"] = parent
                self.g["pathFragments"].append(f)
            parent = self.frags[key]
        return parent

    def artifact(self, path):
        aid = len(self.g["artifacts"]) + 1
        self.g["artifacts"].append({"id": aid, "pathFragmentId": self.frag(path)})
        return aid

    def compile(self, source, extra=()):
        obj = source.replace(".cc", ".pic.o")
        args = ["/usr/bin/gcc", "-U_FORTIFY_SOURCE", "-Wunused-but-set-parameter", "-Wno-free-nonheap-object",
                "-std=c++0x", "-MD", "-MF", f"bazel-out/k8-fastbuild/bin/{obj}.d",
                f"-frandom-seed=bazel-out/k8-fastbuild/bin/{obj}", "-fPIC", "-DSPDLOG_SHARED_LIB",
                "-iquote", ".", "-iquote", "bazel-out/k8-fastbuild/bin",
                "-iquote", "external/com_google_protobuf", *extra,
                "-Wall", "-Wextra", "-O2", "-Wno-maybe-uninitialized", "-std=c++20", "-fno-canonical-system-headers",
                "-c", source, "-o", f"bazel-out/k8-fastbuild/bin/{obj}"]
        self.g["actions"].append({"mnemonic": "CppCompile", "arguments": args})

    def symlink(self, source, out):
        d = len(self.g["depSetOfFiles"]) + 1
        self.g["depSetOfFiles"].append({"id": d, "directArtifactIds": [self.artifact(source)]})
        self.g["actions"].append({"mnemonic": "Symlink", "inputDepSetIds": [d], "outputIds": [self.artifact(out)]})


VIRTUAL = "bazel-out/k8-fastbuild/bin/reference/raft/_virtual_includes/raft"


def sample():
    g = Graph()
    g.compile("raft/raft.cc")
    g.compile("raftstore/peer.cc", extra=["-I", VIRTUAL, "-isystem", "external/system/include"])
    g.compile("raftstore/peer.cc")  # the same file in a second action: one entry
    g.compile("external/com_google_protobuf/x.cc")  # not the editor's business
    g.symlink("reference/raft/raft.h", VIRTUAL + "/raft/raft.h")
    g.symlink("reference/raft/rawnode.h", VIRTUAL + "/raft/rawnode.h")
    return g.g


def entries():
    graph = json.loads(json.dumps(sample()))  # as aquery would print it
    roots = compdb.virtual_include_roots(graph, compdb.artifact_paths(graph))
    return roots, compdb.entries(graph, compdb.Resolver(KIT, EXECROOT, OUTPUT_BASE, roots), KIT)


class CompdbTest(unittest.TestCase):
    def test_virtual_includes_map_to_their_source_folder(self):
        roots, _ = entries()
        self.assertEqual(roots, {VIRTUAL: "reference"})

    def test_one_entry_per_workspace_file(self):
        _, es = entries()
        self.assertEqual([e["file"] for e in es], [f"{KIT}/raft/raft.cc", f"{KIT}/raftstore/peer.cc"])
        for e in es:
            self.assertEqual(e["directory"], KIT)

    def test_flags_for_clang(self):
        _, es = entries()
        args = es[0]["arguments"]
        self.assertEqual(args[0], "/usr/bin/gcc")
        for gone in ("-Wno-maybe-uninitialized", "-fno-canonical-system-headers", "-Wunused-but-set-parameter",
                     "-Wno-free-nonheap-object", "-MD", "-MF", "-o"):
            self.assertNotIn(gone, args)
        self.assertFalse(any(a.startswith("-frandom-seed") or a.endswith(".o") or a.endswith(".d") for a in args))
        for kept in ("-Wall", "-Wextra", "-std=c++20", "-DSPDLOG_SHARED_LIB", "-fPIC"):
            self.assertIn(kept, args)
        self.assertEqual(args[args.index("-c") + 1], f"{KIT}/raft/raft.cc")

    def test_include_paths_are_real_and_absolute(self):
        _, es = entries()
        args = es[0]["arguments"]
        quoted = [args[i + 1] for i, a in enumerate(args) if a == "-iquote"]
        self.assertEqual(quoted, [KIT, f"{EXECROOT}/bazel-out/k8-fastbuild/bin",
                                  f"{OUTPUT_BASE}/external/com_google_protobuf"])

    def test_reference_headers_are_found_before_the_students(self):
        _, es = entries()
        args = es[1]["arguments"]
        quoted = [args[i + 1] for i, a in enumerate(args) if a == "-iquote"]
        self.assertEqual(quoted[:2], [f"{KIT}/reference", KIT])
        self.assertIn(f"{KIT}/reference", [args[i + 1] for i, a in enumerate(args) if a == "-I"])
        self.assertIn(f"{OUTPUT_BASE}/external/system/include", [args[i + 1] for i, a in enumerate(args) if a == "-isystem"])

    def test_joined_include_flags(self):
        resolve = compdb.Resolver(KIT, EXECROOT, OUTPUT_BASE, {})
        _, args = compdb.rewrite(["gcc", "-Ibazel-out/k8-fastbuild/bin/x", "-isystemexternal/y", "-c", "a.cc"], resolve, {})
        self.assertEqual(args, ["gcc", "-I", f"{EXECROOT}/bazel-out/k8-fastbuild/bin/x",
                                "-isystem", f"{OUTPUT_BASE}/external/y", "-c", f"{KIT}/a.cc"])

    def test_an_action_without_a_source_is_an_error(self):
        with self.assertRaises(compdb.CompdbError):
            compdb.rewrite(["gcc", "-O2"], compdb.Resolver(KIT, EXECROOT, OUTPUT_BASE, {}), {})

    def test_written_atomically(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "compile_commands.json")
            compdb.write_atomically(path, [{"file": "a"}])
            with open(path) as f:
                self.assertEqual(json.load(f), [{"file": "a"}])
            self.assertEqual(os.listdir(d), ["compile_commands.json"])


if __name__ == "__main__":
    unittest.main()
