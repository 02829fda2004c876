"""Runs Bazel in the scratch workspace under a wall-clock limit and reads its Build Event
Protocol file (what Bazel itself says about each target: missing, failed to build, test
status, where it wrote test.xml and test.log)."""

import json
import os
import resource
import signal
import subprocess
import time
import urllib.parse

# Every file a build or test process writes is capped (a test that floods its log is killed
# by SIGXFSZ instead of filling the disk). Inherited by the Bazel server this client starts.
FILE_SIZE_LIMIT = 1 << 30


class BazelResult:
    def __init__(self, returncode, timed_out, seconds, log_path):
        self.returncode = returncode
        self.timed_out = timed_out
        self.seconds = seconds
        self.log_path = log_path


class Bazel:
    """One Bazel client for one workspace. The startup options never change between calls,
    so the server (and its analysis cache) is reused for every submission graded in this
    workspace; it exits by itself after `max_idle_secs`."""

    def __init__(self, workspace, binary="bazel", max_idle_secs=900, startup_args=()):
        self.workspace = workspace
        self.binary = binary
        self.startup = [f"--max_idle_secs={max_idle_secs}"] + list(startup_args)

    def run(self, command, args, log_path, timeout):
        """Runs `bazel <command> <args>` with stdout and stderr into `log_path`; after `timeout`
        seconds interrupts it (Bazel cancels the build or test), then kills it."""
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        argv = [self.binary] + self.startup + [command] + list(args)
        start = time.monotonic()
        with open(log_path, "wb") as log:
            log.write(("$ " + " ".join(argv) + "\n").encode())
            log.flush()
            proc = subprocess.Popen(
                argv,
                cwd=self.workspace,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_limit_file_size,
            )
            timed_out = False
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                rc = _stop(proc)
        return BazelResult(rc, timed_out, time.monotonic() - start, log_path)

    def shutdown(self):
        subprocess.run(
            [self.binary] + self.startup + ["shutdown"],
            cwd=self.workspace,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )


def _limit_file_size():
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = FILE_SIZE_LIMIT if hard == resource.RLIM_INFINITY else min(FILE_SIZE_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))


def _stop(proc):
    """SIGINT (Bazel cancels the running command), then SIGKILL if it does not stop."""
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return -9


class TestRun:
    """Bazel's verdict on one test target in one `bazel test`."""

    def __init__(self, label, status, xml, log, millis):
        self.label = label
        self.status = status  # PASSED FAILED TIMEOUT FLAKY INCOMPLETE NO_STATUS ...
        self.xml = xml
        self.log = log
        self.millis = millis


class Events:
    """What one Build Event Protocol file says, target by target."""

    def __init__(self):
        self.missing = {}  # label -> why (could not be loaded: no such package/target)
        self.built = set()  # labels that built
        self.failed = {}  # label -> why it did not build
        self.tests = {}  # label -> TestRun
        self.exit_code = None
        self.exit_name = ""


def _file_path(uri):
    if uri.startswith("file://"):
        return urllib.parse.unquote(uri[len("file://") :])
    return None


def read_events(path, requested=()):
    """Parses a BEP JSON file (one event per line). `requested` lets a pattern that failed to
    load as a whole (several targets in one missing package) be attributed to each target."""
    ev = Events()
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError:
        return ev
    with f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            eid = e.get("id", {})
            if "pattern" in eid and "aborted" in e:
                why = e["aborted"].get("description") or e["aborted"].get("reason", "")
                for label in eid["pattern"].get("pattern", []):
                    ev.missing[label] = why
            elif "targetConfigured" in eid and "aborted" in e:
                ev.failed[eid["targetConfigured"]["label"]] = e["aborted"].get("description", "")
            elif "targetCompleted" in eid:
                label = eid["targetCompleted"]["label"]
                completed = e.get("completed")
                if completed is not None and completed.get("success"):
                    ev.built.add(label)
                elif completed is not None:
                    detail = completed.get("failureDetail", {}).get("message", "")
                    ev.failed[label] = detail or "did not build (see the build log)"
                elif "aborted" in e:
                    ev.failed[label] = e["aborted"].get("description") or e["aborted"].get("reason", "aborted")
            elif "testResult" in eid and "testResult" in e:
                label = eid["testResult"]["label"]
                r = e["testResult"]
                files = {o.get("name"): _file_path(o.get("uri", "")) for o in r.get("testActionOutput", [])}
                ev.tests[label] = TestRun(
                    label,
                    r.get("status", "NO_STATUS"),
                    files.get("test.xml"),
                    files.get("test.log"),
                    int(r.get("testAttemptDurationMillis", 0) or 0),
                )
            elif "buildFinished" in eid:
                code = e.get("finished", {}).get("exitCode", {})
                ev.exit_code = code.get("code", 0)
                ev.exit_name = code.get("name", "")
    # "no such target" for one label inside a pattern list is reported per label; a pattern
    # naming several labels at once is split above. Labels never mentioned are left alone.
    for label in requested:
        if label in ev.failed and "no such target" in ev.failed[label]:
            ev.missing[label] = ev.failed.pop(label)
    return ev


def linux_sandbox_works():
    """Whether Bazel's linux-sandbox can run here (it needs user namespaces, which some
    containers forbid). Tests run in it so that they see the workspace read-only."""
    for tool in ("/usr/share/bazel/linux-sandbox",):
        if os.path.exists(tool):
            try:
                r = subprocess.run([tool, "--", "/bin/true"], capture_output=True, timeout=30)
                return r.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                return False
    return False
