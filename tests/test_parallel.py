"""wpnet._parallel: the pool gives exactly the one-process result, in task order."""

from __future__ import annotations

import numpy as np
import pytest

from wpnet._parallel import (
    cpu_quota,
    in_background,
    parallel_map,
    resolve_workers,
    task_seeds,
)


def _draw(shared: np.ndarray, seed: int) -> float:
    rng = np.random.default_rng(seed)
    return float(rng.permutation(shared)[:3].sum())


def test_two_processes_give_the_one_process_result_in_order() -> None:
    data = np.arange(50, dtype=float)
    seeds = task_seeds(7, 12)
    one = parallel_map(_draw, seeds, shared=data, workers=1)
    two = parallel_map(_draw, seeds, shared=data, workers=2)
    assert one == two
    # the oracle: a plain loop
    assert one == [_draw(data, s) for s in seeds]
    assert len(set(one)) > 1  # the tasks really differ


def test_task_seeds_depend_only_on_seed_and_index() -> None:
    assert task_seeds(3, 5) == task_seeds(3, 5)
    assert task_seeds(3, 5)[:2] == task_seeds(3, 2)
    assert task_seeds(3, 5) != task_seeds(4, 5)


def test_unpicklable_work_runs_here_and_says_so() -> None:
    with pytest.warns(RuntimeWarning, match="could not be sent to worker processes"):
        out = parallel_map(lambda s, t: s + t, [1, 2], shared=10, workers=2)
    assert out == [11, 12]


def test_workers_from_argument_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WPNET_WORKERS", "3")
    assert resolve_workers(None) == 3
    assert resolve_workers(1) == 1
    monkeypatch.setenv("WPNET_WORKERS", "many")
    with pytest.raises(ValueError, match="WPNET_WORKERS must be a positive integer"):
        resolve_workers(None)
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        resolve_workers(0)
    monkeypatch.delenv("WPNET_WORKERS")
    assert resolve_workers(None) >= 1


def _cgroup(tmp_path, own: str, files: dict[str, str]) -> dict[str, str]:
    """A fake cgroup file system under tmp_path: ``files`` maps a path below the root to
    its text; ``own`` is the process's /proc/self/cgroup. Returns cpu_quota's keywords."""
    root = tmp_path / "cgroup"
    root.mkdir(parents=True)
    for rel, text in files.items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    (tmp_path / "own").write_text(own)
    return {"root": str(root), "own": str(tmp_path / "own")}


def test_cpu_quota_of_cgroup_v2_is_the_smallest_on_the_way_up(tmp_path) -> None:
    # a slice limited to 1.5 CPUs above one limited to 4 and a session without a
    # limit: 1.5 counts, rounded up to 2 workers
    where = _cgroup(
        tmp_path,
        "0::/user.slice/user-1000.slice/session-1.scope\n",
        {
            "user.slice/cpu.max": "150000 100000\n",
            "user.slice/user-1000.slice/cpu.max": "400000 100000\n",
            "user.slice/user-1000.slice/session-1.scope/cpu.max": "max 100000\n",
        },
    )
    assert cpu_quota(**where) == 2


def test_cpu_quota_of_a_container_is_its_root_cgroup(tmp_path) -> None:
    # v2 in a cgroup namespace: the process's cgroup is "/", the quota the root's
    v2 = _cgroup(tmp_path / "v2", "0::/\n", {"cpu.max": "300000 100000\n"})
    assert cpu_quota(**v2) == 3
    # v1: the path names the host's cgroup, which the container mounts as its root
    v1 = _cgroup(
        tmp_path / "v1",
        "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n",
        {"cpu,cpuacct/cpu.cfs_quota_us": "50000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"},
    )
    assert cpu_quota(**v1) == 1  # half a CPU: one worker


def test_no_cpu_quota_when_none_is_set_or_nothing_can_be_read(tmp_path) -> None:
    cases = {
        "unlimited v2": ("0::/\n", {"cpu.max": "max 100000\n"}),
        "unlimited v1": (
            "4:cpu,cpuacct:/\n",
            {"cpu,cpuacct/cpu.cfs_quota_us": "-1\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"},
        ),
        "unreadable": ("0::/\n", {"cpu.max": "a lot\n"}),
        "no files": ("0::/a\n", {}),
    }
    for name, (own, files) in cases.items():
        assert cpu_quota(**_cgroup(tmp_path / name.replace(" ", "_"), own, files)) is None, name
    assert cpu_quota(root=tmp_path / "missing", own=tmp_path / "missing") is None


def test_workers_default_to_the_cpu_quota_when_it_is_below_the_cpus(monkeypatch) -> None:
    import wpnet._parallel as par

    monkeypatch.delenv("WPNET_WORKERS", raising=False)
    monkeypatch.setattr(par.os, "sched_getaffinity", lambda pid: set(range(64)))
    monkeypatch.setattr(par, "cpu_quota", lambda: 2)
    assert resolve_workers() == 2
    monkeypatch.setattr(par, "cpu_quota", lambda: None)
    assert resolve_workers() == 64
    monkeypatch.setattr(par, "cpu_quota", lambda: 128)  # a quota above the CPUs: the CPUs
    assert resolve_workers() == 64
    monkeypatch.setenv("WPNET_WORKERS", "5")  # an explicit choice is kept
    assert resolve_workers() == 5
    assert resolve_workers(7) == 7


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_threads_are_capped_at_a_quota_below_the_cpus(monkeypatch) -> None:
    import numpy as np
    from threadpoolctl import threadpool_limits

    import wpnet._parallel as par

    np.ones((2, 2)) @ np.ones((2, 2))  # numpy's BLAS is loaded
    for v in par.THREAD_VARIABLES:
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setattr(par, "_cpus", lambda: 4)
    with threadpool_limits(limits=None):  # the threads as they were, on leaving
        monkeypatch.setattr(par, "cpu_quota", lambda: 4)  # no quota below the CPUs
        assert par.blas_within_quota() is None
        monkeypatch.setattr(par, "cpu_quota", lambda: None)
        assert par.blas_within_quota() is None
        assert all(v not in par.os.environ for v in par.THREAD_VARIABLES)
        monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's choice stays
        monkeypatch.setattr(par, "cpu_quota", lambda: 1)
        assert par.blas_within_quota() is None
        assert par.os.environ.get("OPENBLAS_NUM_THREADS") is None
        monkeypatch.delenv("OMP_NUM_THREADS")
        assert par.blas_within_quota() == 1
        assert {par.os.environ[v] for v in par.THREAD_VARIABLES} == {"1"}
        assert _blas_threads() and set(_blas_threads()) == {1}


def test_a_plain_script_without_a_main_guard_can_use_both_cores(tmp_path) -> None:
    # analysts script the report: a script with no `if __name__ == "__main__":` guard
    # must not be re-run by the workers (spawn/forkserver would refuse or recurse)
    import subprocess
    import sys

    script = tmp_path / "plain.py"
    script.write_text(
        "from wpnet._parallel import parallel_map, task_seeds\n"
        "print(parallel_map(divmod, [7, 9, 11], shared=20, workers=2))\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[(2, 6), (2, 2), (1, 9)]"


# ---- in_background -----------------------------------------------------------------------------
fork_only = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="the background process is forked",
)


def _pid_and_pool(n: int) -> tuple[int, list[float]]:
    import os
    import warnings

    warnings.warn(f"ran in process {os.getpid()}", UserWarning, stacklevel=1)
    data = np.arange(50, dtype=float)
    return os.getpid(), parallel_map(_draw, task_seeds(7, n), shared=data, workers=2)


@fork_only
def test_a_background_call_runs_elsewhere_with_its_own_workers() -> None:
    import os

    expected = parallel_map(_draw, task_seeds(7, 6), shared=np.arange(50, dtype=float), workers=1)
    with (
        pytest.warns(UserWarning, match=r"ran in process \d+") as caught,
        in_background(_pid_and_pool, 6) as result,
    ):
        pid, values = result()
        assert result()[0] == pid  # asked twice, received once
    assert pid != os.getpid()
    assert str(caught[0].message) == f"ran in process {pid}"  # the warning came back
    assert values == expected  # its own pool (a process of its own) gave the same values
    with (
        pytest.warns(UserWarning, match=f"ran in process {os.getpid()}$"),
        in_background(_pid_and_pool, 6, enabled=False) as result,
    ):
        assert result() == (os.getpid(), expected)  # computed here, on demand


def _warns_three_times() -> int:
    import warnings

    for i in range(3):
        warnings.warn("the same warning", UserWarning, stacklevel=1)  # one place, 3 times
        warnings.warn(f"warning {i}", UserWarning, stacklevel=1)  # one place, 3 texts
    return 3


@fork_only
@pytest.mark.parametrize("action, shown", [("default", 4), ("always", 6)])
def test_a_background_calls_warnings_are_shown_as_if_it_ran_here(action, shown) -> None:
    import warnings

    for enabled in (True, False):  # in a process of its own, and here
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter(action)
            with in_background(_warns_three_times, enabled=enabled) as result:
                assert result() == 3
        # "default": a text repeated at one place is shown once (the registry of the
        # place); the three texts are shown each
        assert len(caught) == shown, (enabled, [str(w.message) for w in caught])


def _frozen(_shared: object = None, _task: object = None) -> tuple[int, int]:
    import gc

    return gc.get_freeze_count(), len(gc.get_objects(generation=2))


@fork_only
def test_forked_processes_leave_inherited_objects_to_the_parent() -> None:
    import gc

    here = gc.get_freeze_count()  # none, or what the interpreter froze itself (CPython 3.12)
    kept = [[i] for i in range(20_000)]  # inherited objects a child's full collection would walk
    with in_background(_frozen) as result:
        frozen, walked = result()
    assert frozen >= here + len(kept)  # frozen in the child: out of its collector's sight
    assert walked < len(kept)
    for frozen, walked in parallel_map(_frozen, [1, 2], workers=2):  # and in pool workers
        assert frozen >= here + len(kept) and walked < len(kept)
    assert gc.get_freeze_count() == here  # the caller's own collector is left alone


def _fails() -> None:
    raise KeyError("no session 2031-32")


def _unpicklable_error() -> None:
    class Local(Exception):
        pass

    raise Local("a local exception class")


@fork_only
def test_a_background_error_is_raised_in_the_caller() -> None:
    with pytest.raises(KeyError, match="no session 2031-32"), in_background(_fails) as result:
        result()
    with (
        pytest.raises(RuntimeError, match="Local: a local exception class"),
        in_background(_unpicklable_error) as result,
    ):
        result()


def _dies() -> None:
    import os

    os._exit(3)  # as a process killed mid-call (out of memory) sends nothing back


def _killed() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does


@fork_only
def test_a_background_process_that_dies_is_reported_with_its_exit_code() -> None:
    from wpnet.errors import WorkerLost

    with (
        pytest.raises(WorkerLost, match=r"ended without sending its result \(exit code 3\)"),
        in_background(_dies) as result,
    ):
        result()
    with (
        pytest.raises(
            WorkerLost, match=r"killed by signal 9, SIGKILL: the system may have run out"
        ),
        in_background(_killed) as result,
    ):
        result()


def _kill_the_worker(_shared: object, task: int) -> int:
    if task == 3:
        _killed()
    return task


@fork_only
def test_a_pool_worker_that_dies_is_reported() -> None:
    from wpnet.errors import WorkerLost

    with pytest.raises(WorkerLost, match="a worker process ended without sending its results"):
        parallel_map(_kill_the_worker, list(range(6)), workers=2)
    assert parallel_map(_kill_the_worker, [1, 2], workers=2) == [1, 2]  # the pool works again


def _sleep_in_a_pool(_: object) -> None:
    import time

    parallel_map(_nap, [30, 30], workers=2)
    time.sleep(30)


def _nap(_: object, seconds: float) -> None:
    import time

    time.sleep(seconds)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:  # a zombie is not running
        return f.read().split(") ", 1)[1][0] != "Z"


def _processes() -> dict[int, tuple[str, int, int]]:
    """Every process's (state, parent, process group), from /proc."""
    import os

    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    state, ppid, pgrp = f.read().split(") ", 1)[1].split()[:3]
            except OSError:  # gone meanwhile
                continue
            found[int(entry)] = (state, int(ppid), int(pgrp))
    return found


def _group(pgid: int) -> list[int]:
    """The processes of process group ``pgid``."""
    return [p for p, (_, _, pgrp) in _processes().items() if pgrp == pgid]


@fork_only
def test_leaving_early_stops_the_call_and_its_workers() -> None:
    import multiprocessing as mp
    import os
    import time

    if not os.path.isdir("/proc"):
        pytest.skip("reads /proc to find the workers")
    with in_background(_sleep_in_a_pool, None):
        (child,) = mp.active_children()
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = [p for p in _group(child.pid) if p != child.pid]
        assert len(workers) >= 2  # its pool's processes, in its group
    assert mp.active_children() == []
    time.sleep(0.5)
    assert not any(_alive(p) for p in workers)  # the pool went with it


def _descendants(pid: int) -> list[int]:
    """The running processes below ``pid``: children, their children, ..."""
    parent_of = {p: ppid for p, (state, ppid, _) in _processes().items() if state != "Z"}
    found, frontier = [], [pid]
    while frontier:
        frontier = [p for p, pp in parent_of.items() if pp in frontier]
        found += frontier
    return found


_ORPHAN_SCRIPT = """
import time
from wpnet._parallel import in_background, parallel_map

def nap(_, seconds):
    time.sleep(seconds)

def pool_and_nap(_):
    parallel_map(nap, [60, 60], workers=2)

with in_background(pool_and_nap, None):
    parallel_map(nap, [60, 60], workers=2)  # the caller's own pool
"""


@fork_only
def test_a_caller_killed_outright_takes_its_processes_with_it(tmp_path) -> None:
    # SIGKILL (or the out-of-memory killer) gives the caller no chance to stop what it
    # started: its background process, that process's pool and the caller's own pool
    # must notice and end, not compute for nobody or wait for work forever
    import os
    import signal
    import subprocess
    import sys
    import time

    from wpnet._parallel import PARENT_CHECK_SECONDS

    if not os.path.isdir("/proc"):
        pytest.skip("reads /proc to find the processes")
    script = tmp_path / "caller.py"
    script.write_text(_ORPHAN_SCRIPT, encoding="utf-8")
    caller = subprocess.Popen([sys.executable, str(script)])
    started: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(started) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
            started = _descendants(caller.pid)
        assert len(started) == 5  # the background process, its 2 workers, the caller's 2
        caller.kill()
        caller.wait()
        deadline = time.monotonic() + 10 * PARENT_CHECK_SECONDS + 5
        while any(_alive(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p for p in started if _alive(p)] == []
    finally:
        caller.kill()
        for p in started:  # the test leaves nothing behind, whatever it found
            with __import__("contextlib").suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)


@fork_only
def test_a_background_process_whose_caller_left_ends_quietly() -> None:
    # nobody reads its result any more: it must end without an error of its own (a
    # BrokenPipeError traceback printed beside the caller's message)
    import multiprocessing as mp
    import os

    from wpnet._parallel import _run_into

    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    recv.close()  # before the fork: no process holds a reading end
    proc = ctx.Process(target=_run_into, args=(send, recv, os.getpid(), sum, ([1, 2],), {}))
    proc.start()
    send.close()
    proc.join(30)
    assert proc.exitcode == 0
