"""A stand-in for `bazel` in the runner's unit tests: plays a scenario (JSON file named by
$FAKE_BAZEL_SCENARIO) and writes what real Bazel writes: a Build Event Protocol file, and
per test target a test.log and a test.xml (gtest's, or Bazel's stand-in when the "binary"
crashed or timed out). Every invocation is appended to $FAKE_BAZEL_SCENARIO.calls.

Scenario:
  {"missing": [label], "build_fail": {label: message}, "build_sleep": seconds,
   "test_sleep": seconds,
   "tests": {label: [{"name": "Suite.Case", "fail_seeds": [3], "crash": bool|[seeds],
                      "hang": bool|[seeds], "hang_runs": [n]}]},  (n: the case's n-th run on a seed)
   "own_filter": {label: filter}}  (the target's own args: --gtest_filter=filter, which a
                                    --gtest_filter given to `bazel test` replaces, as in gtest)
"""

import fnmatch
import json
import os
import sys
import time


def _matches(name, flt):
    """gtest's --gtest_filter: POSITIVE[-NEGATIVE], each a ':'-list of patterns."""
    if not flt:
        return True
    pos, _, neg = flt.partition("-")
    pos = pos or "*"
    return any(fnmatch.fnmatchcase(name, p) for p in pos.split(":")) and not any(
        fnmatch.fnmatchcase(name, p) for p in neg.split(":") if p
    )


def _event(f, obj):
    f.write(json.dumps(obj) + "\n")


def _nth_run(scenario_path, name, seed):
    """How many times (1, 2, ...) the case has now been run on this seed, over all invocations."""
    path = scenario_path + ".runs"
    runs = {}
    if os.path.exists(path):
        with open(path) as f:
            runs = json.load(f)
    key = f"{name}@{seed}"
    runs[key] = runs.get(key, 0) + 1
    with open(path, "w") as f:
        json.dump(runs, f)
    return runs[key]


def main(argv):
    scenario_path = os.environ["FAKE_BAZEL_SCENARIO"]
    with open(scenario_path) as f:
        sc = json.load(f)
    with open(scenario_path + ".calls", "a") as f:
        f.write(json.dumps(argv) + "\n")
    args = list(argv)
    while args and args[0].startswith("--"):
        args.pop(0)  # startup options (--max_idle_secs, --host_jvm_args)
    command = args[0]
    if command == "shutdown":
        return 0
    flags, labels = [], []
    if "--" in args:
        i = args.index("--")
        flags, labels = args[1:i], args[i + 1 :]
    else:
        flags = args[1:]
    opt = {}
    for fl in flags:
        if fl.startswith("--") and "=" in fl:
            k, v = fl[2:].split("=", 1)
            opt.setdefault(k, []).append(v)
    bep = opt["build_event_json_file"][0]
    out_root = os.path.join(os.path.dirname(scenario_path), "testlogs")
    with open(bep, "w") as ev:
        missing = [l for l in labels if l in sc.get("missing", [])]
        for l in missing:
            _event(ev, {"id": {"pattern": {"pattern": [l]}}, "aborted": {"reason": "LOADING_FAILURE", "description": f"no such target '{l}'"}})
        if command == "build":
            time.sleep(sc.get("build_sleep", 0))
            for l in labels:
                if l in missing:
                    continue
                if l in sc.get("build_fail", {}):
                    print(f"raft/raft.cc:1:1: error: {sc['build_fail'][l]}")
                    _event(ev, {"id": {"targetCompleted": {"label": l}}, "completed": {"failureDetail": {"message": "C++ compilation failed"}}})
                else:
                    _event(ev, {"id": {"targetCompleted": {"label": l}}, "completed": {"success": True}})
            return 1 if missing or sc.get("build_fail") else 0
        # test
        time.sleep(sc.get("test_sleep", 0))
        seed = int([v for v in opt.get("test_env", []) if v.startswith("TINYKV_SEED=")][0].split("=")[1])
        test_args = opt.get("test_arg", [])
        flt = None
        list_mode = "--gtest_list_tests" in flags or any(a == "--gtest_list_tests" for a in test_args)
        for a in flags:
            if a.startswith("--test_arg=--gtest_filter="):
                flt = a.split("=", 2)[2]
        for l in labels:
            if l in missing:
                continue
            d = os.path.join(out_root, l.strip("/").replace(":", "/"))
            os.makedirs(d, exist_ok=True)
            log_path, xml_path = os.path.join(d, "test.log"), os.path.join(d, "test.xml")
            eff = flt if flt is not None else sc.get("own_filter", {}).get(l)
            cases = [c for c in sc.get("tests", {}).get(l, []) if _matches(c["name"], eff)]
            lines, xml_cases, status = [], [], "PASSED"
            died = None
            if list_mode:
                suites = {}
                for c in cases:
                    s, n = c["name"].split(".")
                    suites.setdefault(s, []).append(n)
                for s, ns in suites.items():
                    lines.append(f"{s}.")
                    lines += [f"  {n}" for n in ns]
            else:
                for c in cases:
                    lines.append(f"[ RUN      ] {c['name']}")

                    def on(key):
                        v = c.get(key, False)
                        return v is True or (isinstance(v, list) and seed in v)

                    if on("crash"):
                        lines.append("about to crash")
                        died = ("FAILED", 139)
                        break
                    hangs_this_run = "hang_runs" in c and _nth_run(scenario_path, c["name"], seed) in c["hang_runs"]
                    if on("hang") or hangs_this_run:
                        lines.append("-- Test timed out --")
                        died = ("TIMEOUT", 142)
                        break
                    if seed in c.get("fail_seeds", []):
                        lines.append(f"x.cc:1: Failure\nboom with seed {seed}")
                        lines.append(f"[  FAILED  ] {c['name']} (0 ms)")
                        xml_cases.append((c["name"], f"boom with seed {seed}"))
                        status = "FAILED"
                    else:
                        lines.append(f"[       OK ] {c['name']} (0 ms)")
                        xml_cases.append((c["name"], None))
            with open(log_path, "w") as f:
                f.write("\n".join(lines) + "\n")
            if died or list_mode:
                status = died[0] if died else "PASSED"
                code = died[1] if died else 0
                with open(xml_path, "w") as f:
                    f.write(
                        f'<?xml version="1.0"?><testsuites><testsuite name="{l}" tests="1"><testcase name="{l}" status="run">'
                        + (f'<error message="exited with error code {code}"></error>' if died else "")
                        + "</testcase></testsuite></testsuites>"
                    )
            else:
                with open(xml_path, "w") as f:
                    f.write('<?xml version="1.0"?><testsuites name="AllTests">')
                    for name, fail in xml_cases:
                        s, n = name.split(".")
                        f.write(f'<testsuite name="{s}"><testcase name="{n}" classname="{s}" status="run" result="completed">')
                        if fail:
                            f.write(f'<failure message="{fail}">{fail}</failure>')
                        f.write("</testcase></testsuite>")
                    f.write("</testsuites>")
            _event(ev, {
                "id": {"testResult": {"label": l, "run": 1, "shard": 1, "attempt": 1}},
                "testResult": {
                    "status": status,
                    "testAttemptDurationMillis": "5",
                    "testActionOutput": [
                        {"name": "test.log", "uri": "file://" + log_path},
                        {"name": "test.xml", "uri": "file://" + xml_path},
                    ],
                },
            })
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
