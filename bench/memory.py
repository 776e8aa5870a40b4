"""Peak resident memory, for the benchmarks: of this process, or of one child process.

Shared by every benchmark that reports memory, so that each counts it the same way: the
resident set (``VmHWM``, Linux), not the address space.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path


def reset_peak_memory() -> bool:
    """Start counting the peak resident set afresh (Linux: ``clear_refs`` 5); say if it did."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_memory_mib() -> float:
    """The process's peak resident set in MiB: ``VmHWM``, else the whole run's ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_measured(command: list[str]) -> tuple[float, float, str]:
    """Run ``command`` as a child process: its wall-clock seconds, its own peak resident set
    in MiB (``wait4``'s ``ru_maxrss`` of that child alone) and its standard output."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command, out)
    return seconds, usage.ru_maxrss / 1024, out
