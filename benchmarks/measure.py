"""Timing one process: wall time from start to exit, and the peak memory of its largest process.

`os.wait4` returns the child's resource usage; on Linux its `ru_maxrss` is the largest
resident set of the child and of every descendant it waited for (worker processes
included), which is "the peak memory of the largest process".
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

RSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux


@dataclass(frozen=True, slots=True)
class Run:
    """One timed process."""

    seconds: float
    cpu_seconds: float  # user + system time of the process and its waited-for children
    peak_mb: float
    status: int
    log: str  # the end of its output, for a failure report


def timed(command: list[str], cwd: Path, log_path: Path, timeout: float = 900.0) -> Run:
    """Run `command` in a new process, output to `log_path`; its wall time and peak memory."""
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        status, usage = _wait(process, timeout)
        seconds = time.perf_counter() - started
    text = log_path.read_text(encoding="utf-8", errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss * RSS_UNIT / 2**20, status, text[-3000:])


def _wait(process: subprocess.Popen, timeout: float) -> tuple[int, os.struct_rusage]:
    """A blocking os.wait4; a timer kills a build that hangs, so the benchmark goes on."""
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:  # Ctrl-C: do not leave the build running
        process.kill()
        process.wait()
        raise
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def fetch(url: str) -> str | None:
    """The page at `url`, or None while it cannot be had."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str | None, timeout: float, every: float = 0.002) -> float | None:
    """Seconds until `url` serves a page (containing `text`, if given); None on timeout."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        body = fetch(url)
        if body is not None and (text is None or text in body):
            return time.perf_counter() - started
        time.sleep(every)
    return None
