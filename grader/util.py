"""Small helpers: atomic writes and bounded reads (a student's test can print gigabytes)."""

import json
import os
import shutil
import tempfile

# What a report keeps of one log: its head and its tail, with a marker in between.
LOG_HEAD = 24 * 1024
LOG_TAIL = 40 * 1024


def atomic_write(path, data):
    """Writes `data` (str or bytes) to `path` so that readers see the old or the new file,
    never half of one: write a temporary file next to it, then rename over it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_json(path, obj):
    atomic_write(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def truncate_text(text, head=LOG_HEAD, tail=LOG_TAIL):
    """`text` if short, else its first `head` and last `tail` characters around a marker."""
    if len(text) <= head + tail:
        return text
    cut = len(text) - head - tail
    return text[:head] + f"\n\n[... {cut} characters cut by the grader ...]\n\n" + text[-tail:]


def read_bounded(path, head=LOG_HEAD, tail=LOG_TAIL):
    """The head and tail of a file without reading the middle (a flood may be huge), decoded
    leniently. Returns "" when the file does not exist."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(0)
            if size <= head + tail:
                data = f.read()
                return data.decode("utf-8", errors="replace")
            first = f.read(head)
            f.seek(size - tail)
            last = f.read(tail)
    except OSError:
        return ""
    return (
        first.decode("utf-8", errors="replace")
        + f"\n\n[... {size - head - tail} bytes cut by the grader ...]\n\n"
        + last.decode("utf-8", errors="replace")
    )


def first_line(text, limit=200):
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def replace_dir(tmp_dir, final_dir):
    """Moves a finished report directory into place, replacing an older one."""
    if os.path.exists(final_dir):
        old = final_dir + ".old"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final_dir, old)
        os.replace(tmp_dir, final_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp_dir, final_dir)


def safe_name(text):
    """A file-name-safe version of a label or student id."""
    out = "".join(c if c.isalnum() or c in "-_." else "_" for c in text.strip("/"))
    return out.strip("._") or "_"
