"""Run functions in real OS processes that start at the same instant (a barrier)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_CTX = multiprocessing.get_context("fork")


def _child(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    index: int,
    barrier: Any,
    results: Any,
) -> None:
    try:
        barrier.wait(timeout=60)
        value = target(*args)
        results.put((index, "ok", value))
    except BaseException as exc:  # reported to the parent, which fails the test
        results.put((index, "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def run_at_once(
    target: Callable[..., Any], args_list: Sequence[tuple[Any, ...]], timeout: float = 120
) -> list[Any]:
    """Start one process per args tuple, release them together, return their results in order.

    A child that raises makes this raise, with the child's traceback in the message.
    """
    barrier = _CTX.Barrier(len(args_list))
    results = _CTX.Queue()
    procs = [
        _CTX.Process(target=_child, args=(target, args, i, barrier, results))
        for i, args in enumerate(args_list)
    ]
    for p in procs:
        p.start()
    collected: dict[int, Any] = {}
    errors = []
    for _ in procs:
        index, status, value = results.get(timeout=timeout)
        if status == "ok":
            collected[index] = value
        else:
            errors.append(value)
    for p in procs:
        p.join(timeout=timeout)
    if errors:
        raise AssertionError("a child process failed:\n" + "\n".join(errors))
    return [collected[i] for i in range(len(args_list))]


def waiting_for_lock(pid: int, lock: Path) -> bool:
    """Whether a thread of ``pid`` waits in the kernel for the ``flock`` on ``lock``."""
    inode = os.stat(lock).st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and fields[fields.index("->") + 1] == "FLOCK":
            at = fields.index("->")
            if fields[at + 4] == str(pid) and fields[at + 5].endswith(f":{inode}"):
                return True
    return False


def stop(pid: int, timeout: float = 30) -> None:
    """Stop ``pid`` (SIGSTOP) and return once every thread of it has stopped: ``kill`` returns
    before that (measured: a thread still ran just after, four times in ten), and in that
    moment it can still take a lock."""
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    while not all(state in "Tt" for state in _thread_states(pid)):
        assert time.monotonic() < deadline, f"process {pid} not stopped in {timeout} s"
        time.sleep(0.001)


def _thread_states(pid: int) -> list[str]:
    """The state letter of each thread of ``pid`` (proc(5): T stopped, t stopped by a tracer)."""
    states = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except FileNotFoundError:
            continue  # the thread ended meanwhile
        states.append(stat.rsplit(")", 1)[1].split()[0])
    return states
