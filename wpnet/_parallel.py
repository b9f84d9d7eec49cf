"""Independent work on several processes, with exactly the one-process result.

Null-model samples, permutations, bootstrap draws and blocks of betweenness sources are
independent of one another. :func:`parallel_map` runs such tasks in a process pool whose
size comes from ``workers=`` or the ``WPNET_WORKERS`` environment variable (default: the
CPUs this process may use, within a container's CPU quota: :func:`cpu_quota`) and returns
the results in task order.

Results never depend on the number of workers, because nothing a task computes depends on
which process ran it: randomness comes from per-task seeds (:func:`task_seeds`, derived
from the caller's seed and the task's index), and callers that add results up split the
work into blocks fixed independently of the worker count and add them in task order.

Dense matrix products on small graphs run on one BLAS thread (:func:`blas_threads`):
OpenBLAS splits even a product of a few hundred rows across every core, and its idle
threads then spin for a while after each call, which on a small graph costs more CPU
(and, on a shared machine, more wall time) than the product itself.

One call can also run beside the caller (:func:`in_background`): a process started by
``fork`` computes it while the caller goes on, and sends back its result, its warnings and
its error.

Every process started here ends when the process that started it is gone
(:func:`_end_with_parent`): a caller killed outright (``SIGKILL``, the out-of-memory
killer) cannot stop its workers, which would otherwise go on computing for nobody, or wait
for work forever, holding their memory.

This is an internal helper module (its names are used across wpnet's modules).
"""

from __future__ import annotations

import gc
import logging
import math
import multiprocessing as mp
import os
import pickle
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from wpnet.errors import WorkerLost

__all__ = [
    "BLAS_SMALL_NODES",
    "THREAD_VARIABLES",
    "blas_threads",
    "blas_within_quota",
    "can_fork",
    "cpu_quota",
    "in_background",
    "parallel_map",
    "resolve_workers",
    "task_seed",
    "task_seeds",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_SHARED: Any = None  # set once per worker process by _install
_BLAS: Any = None  # threadpoolctl's controller of the loaded BLAS libraries, made once

#: Graphs of up to this many nodes multiply their dense matrices on one BLAS thread.
#: Measured on the 2-core benchmark machine with other work running: three float32
#: products of 400 nodes took 4 CPU ms on one thread against 53 on two (the second
#: thread's spinning), 1,100 nodes 87 against 142; larger products keep every thread,
#: where splitting them pays on a quiet machine.
BLAS_SMALL_NODES = 1000


def _quota_of(folder: Path) -> float | None:
    """The CPU quota of one cgroup folder, in CPUs: ``cpu.max`` (cgroup v2, "QUOTA
    PERIOD" or "max PERIOD") or ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (v1, a
    quota of -1 for none); None for no quota, or files that are missing or unreadable."""
    try:
        if (folder / "cpu.max").is_file():
            quota, period = (folder / "cpu.max").read_text().split()
        elif (folder / "cpu.cfs_quota_us").is_file():
            quota = (folder / "cpu.cfs_quota_us").read_text().strip()
            period = (folder / "cpu.cfs_period_us").read_text().strip()
        else:
            return None
        if quota == "max" or int(quota) <= 0 or int(period) <= 0:
            return None
        return int(quota) / int(period)
    except (OSError, ValueError):
        return None


def cpu_quota(
    *,
    root: str | os.PathLike[str] = "/sys/fs/cgroup",
    own: str | os.PathLike[str] = "/proc/self/cgroup",
) -> int | None:
    """The CPUs this process's control groups let it use, rounded up; None if no quota.

    A container (Docker's ``--cpus``, a Kubernetes CPU limit, a JupyterHub pod) or a
    systemd slice with ``CPUQuota=`` can give a process less CPU time than the CPUs it
    sees: a pod limited to 2 CPUs on a 64-core node sees 64, and 64 worker processes
    would share 2 CPUs' time. The quota is ``quota / period`` of the cgroup's CPU
    bandwidth (cgroup v2 ``cpu.max``; v1 ``cpu.cfs_quota_us`` and ``cpu.cfs_period_us``),
    read in the process's own cgroup (``own``, ``/proc/self/cgroup``) and every cgroup
    above it under ``root``, the smallest one counting; in a container, whose own
    cgroup is the root it sees, the root's. The reading of ``loky.cpu_count`` (joblib),
    with the walk up the hierarchy. None when there is no quota, no cgroup file system
    (not Linux) or nothing readable: then the CPUs this process may run on decide.

    ``ceil(min over g of quota_g / period_g)``, over the cgroups g with a quota,
    from the process's own to the root.

    Parameters
    ----------
    root : path
        Where the cgroup file systems are mounted.
    own : path
        The process's cgroup membership (``/proc/self/cgroup``).

    Returns
    -------
    int or None
        At least 1.

    References
    ----------
    Linux kernel documentation, "Control Group v2" (``cpu.max``) and "CFS Bandwidth
    Control" (``cpu.cfs_quota_us``).

    Examples
    --------
    >>> cpu_quota(root="/no/such/folder") is None
    True
    """
    base = Path(root)
    try:
        lines = Path(own).read_text().splitlines()
    except OSError:
        lines = []
    places: list[tuple[Path, str]] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # cgroup v2 (at the root, or "unified" beside v1)
            places += [(base, path), (base / "unified", path)]
        elif "cpu" in controllers.split(","):  # cgroup v1's cpu controller
            places += [(base / controllers, path), (base / "cpu", path)]
    if not places:
        places = [(base, "/"), (base / "cpu", "/")]
    found: list[float] = []
    for mount, path in places:
        folder = mount / path.strip("/")
        if not folder.is_dir():
            folder = mount  # a container sees its own cgroup as the root
        while True:
            quota = _quota_of(folder)
            if quota is not None:
                found.append(quota)
            if folder == mount or mount not in folder.parents:
                break
            folder = folder.parent
    return max(1, math.ceil(min(found))) if found else None


def _cpus() -> int:
    """The CPUs this process may run on (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


#: The environment variables that set the thread count of BLAS and OpenMP libraries.
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def blas_within_quota() -> int | None:
    """Cap this process's BLAS and OpenMP threads at its CPU quota when that is below
    the CPUs it may run on; return the cap, or None when nothing was changed.

    OpenBLAS starts a thread per CPU it sees, whatever the container's quota: under a
    quota of one CPU on a 2-core machine the west report with draws took 6.5-8.1 s with
    them and 5.8-6.2 s with one (docs/performance.md, "The sixth session of
    2026-12-02"); a pod limited to 2 CPUs on a 64-core node would run 64. The cap is
    set for the libraries already loaded (threadpoolctl) and, through
    :data:`THREAD_VARIABLES`, for those loaded later and for the processes started
    from this one. Nothing is changed when one of those variables is set (the user's
    choice) or there is no quota below the CPUs. The ``wpnet`` program calls this for
    its own process (:func:`wpnet.cli.script`); a library call leaves the threads of
    the caller's process alone.

    Returns
    -------
    int or None
        The number of threads set (:func:`cpu_quota`), or None.
    """
    quota = cpu_quota()
    if quota is None or quota >= _cpus() or any(os.environ.get(v) for v in THREAD_VARIABLES):
        return None
    for v in THREAD_VARIABLES:
        os.environ[v] = str(quota)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=quota)  # kept for the rest of the process
    return quota


def resolve_workers(workers: int | None = None) -> int:
    """The number of worker processes to use.

    Parameters
    ----------
    workers : int or None
        A positive number of processes. ``None`` reads ``WPNET_WORKERS``; when that is
        unset, every CPU this process may run on, and no more than its control groups'
        CPU quota (:func:`cpu_quota`: a container's CPU limit).

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValueError
        ``workers`` (or ``WPNET_WORKERS``) is not a positive integer.

    Examples
    --------
    >>> resolve_workers(1)
    1
    """
    source = "workers"
    if workers is None:
        env = os.environ.get("WPNET_WORKERS", "").strip()
        if not env:
            cpus = _cpus()
            return max(1, min(cpus, cpu_quota() or cpus))
        source = "WPNET_WORKERS"
        try:
            workers = int(env)
        except ValueError:
            raise ValueError(f"{source} must be a positive integer; got {env!r}") from None
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValueError(f"{source} must be a positive integer; got {workers!r}")
    return int(workers)


def task_seeds(seed: int, tasks: int) -> list[int]:
    """One independent 64-bit seed per task, from the caller's seed.

    ``numpy.random.SeedSequence(seed).spawn(tasks)``, each child's first 64-bit word of
    state: the seeds depend only on ``seed`` and the task's index, so a result is the same
    whatever the number of workers.

    Examples
    --------
    >>> task_seeds(0, 3) == task_seeds(0, 3)
    True
    >>> len(set(task_seeds(0, 3)))
    3
    """
    from wpnet._seeds import spawned_states

    # the i-th child of SeedSequence(seed) is SeedSequence(seed, spawn_key=(i,)): made
    # together, bit for bit numpy's (wpnet._seeds)
    return spawned_states([seed] * tasks, [(i,) for i in range(tasks)], words=1)[:, 0].tolist()


def task_seed(seed: int, i: int) -> int:
    """``task_seeds(seed, tasks)[i]`` for any ``tasks > i``, made alone: the i-th child
    of a :class:`numpy.random.SeedSequence` is the sequence with ``i`` appended to its
    parent's spawn key. Made by numpy itself: the definition that :func:`task_seeds` and
    the bootstrap's batches (:mod:`wpnet._seeds`) are tested against.

    Examples
    --------
    >>> task_seed(0, 2) == task_seeds(0, 5)[2]
    True
    """
    ss = np.random.SeedSequence(int(seed), spawn_key=(int(i),))
    return int(ss.generate_state(1, dtype=np.uint64)[0])


def blas_threads(nodes: int) -> AbstractContextManager:
    """A context in which BLAS runs on one thread when ``nodes`` is at most
    :data:`BLAS_SMALL_NODES` (threadpoolctl's limit on the BLAS libraries numpy and
    scipy load, restored on exit); a context that changes nothing otherwise.

    The limit changes how a product's work is split, not what it computes: the float32
    products of 0/1 matrices (Gould-Fernandez, two-step reach, triangles) hold exact
    integer sums either way; a float64 product may differ in its last bit between
    thread counts, as it does between machines. wpnet's shortest-path matrix engine
    keeps every thread (:mod:`wpnet.measures._paths`).

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(10):
    ...     (np.eye(2) @ np.eye(2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if nodes > BLAS_SMALL_NODES:
        return nullcontext()
    global _BLAS
    if _BLAS is None:
        import scipy.linalg.blas  # noqa: F401  (so scipy's own BLAS is loaded and seen)
        from threadpoolctl import ThreadpoolController

        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


#: How often a process started here checks that the process that started it is there.
PARENT_CHECK_SECONDS = 0.5


def _install(shared: Any, parent: int) -> None:
    global _SHARED
    _end_with_parent(parent, group=False)
    _leave_inherited_objects()
    _SHARED = shared


def _end_with_parent(parent: int, *, group: bool) -> None:
    """In a process started here: end it when ``parent`` (the pid of the process that
    started it, read there) is no longer its parent.

    A daemon thread checks every :data:`PARENT_CHECK_SECONDS` (a system call; it holds
    nothing else). When the parent is gone, killed without the chance to stop what it
    started, the thread kills this process, and with ``group`` the whole process group
    it leads (the workers it started), if it leads one. Reading the parent's pid before
    the fork, not here, also catches a parent gone before this process got this far.
    (Where the system does not give an orphan a new parent, Windows, nothing happens.)
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        if group and os.getpgid(0) == os.getpid():  # ``group``: forked processes only
            os.killpg(os.getpid(), signal.SIGKILL)
        os._exit(1)  # this process, at once, from this thread

    threading.Thread(target=watch, name="wpnet-parent-check", daemon=True).start()


def _leave_inherited_objects() -> None:
    """In a forked process: keep the garbage collector off the objects it inherited.

    A forked process starts with its parent's objects, all of them in the collector's
    oldest generation. Each full collection there would walk every one of them (they
    are the parent's to free, not this short-lived process's): ``gc.freeze`` moves them
    out of the collector's sight at once, at no cost, and the process's own objects are
    collected as usual. Measured on the example's report: 0.45 CPU s less in each of
    its two figure processes (2.1 against 1.65 s).
    """
    gc.freeze()


def _call(job: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    func, task = job
    return func(_SHARED, task)


def _picklable(obj: Any, *, and_back: bool = False) -> str | None:
    """Why ``obj`` cannot be sent to another process (None when it can); with
    ``and_back``, it must also come back from its pickle (an exception whose class
    takes other arguments does not)."""
    try:
        data = pickle.dumps(obj)
        if and_back:
            pickle.loads(data)
    except Exception as exc:  # any pickling failure means "cannot be sent"
        return f"{type(exc).__name__}: {exc}"
    return None


def parallel_map(
    func: Callable[[Any, T], R],
    tasks: Sequence[T],
    *,
    shared: Any = None,
    workers: int | None = None,
) -> list[R]:
    """``[func(shared, t) for t in tasks]``, on up to ``workers`` processes.

    Parameters
    ----------
    func : callable
        ``func(shared, task) -> result``; a module-level function so that it can be sent
        to another process.
    tasks : sequence
        Independent tasks (small: each is pickled).
    shared : object, optional
        Data every task reads (an incidence matrix, a graph); sent once to each worker.
    workers : int, optional
        See :func:`resolve_workers`. With one worker, or one task, no process is started.

    Returns
    -------
    list
        The results in task order.

    Notes
    -----
    Worker processes start by ``fork`` where the platform has it (Linux, macOS), as
    Python's own default on Linux does: a plain script or a notebook needs no
    ``if __name__ == "__main__":`` guard, which ``spawn`` and ``forkserver`` would
    demand (they re-import the caller's main module in every worker). Elsewhere they
    start by ``spawn``. If ``func`` or ``shared`` cannot be pickled (a lambda), the work
    runs in this process and a ``RuntimeWarning`` says so.

    Examples
    --------
    >>> from wpnet._parallel import parallel_map
    >>> parallel_map(pow, [1, 2, 3], shared=2, workers=1)
    [2, 4, 8]
    """
    tasks = list(tasks)
    n = min(resolve_workers(workers), len(tasks))
    if n <= 1:
        return [func(shared, t) for t in tasks]
    problem = _picklable(func) or _picklable(shared)
    if problem is not None:
        warnings.warn(
            f"the work could not be sent to worker processes ({problem}); it ran in one "
            "process. Define the function at module level, or pass workers=1.",
            RuntimeWarning,
            stacklevel=2,
        )
        return [func(shared, t) for t in tasks]
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    chunk = max(1, len(tasks) // (4 * n))
    log.debug("parallel_map: %d tasks on %d processes (chunks of %d)", len(tasks), n, chunk)
    with (
        warnings.catch_warnings(),
        ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_install, initargs=(shared, os.getpid())
        ) as pool,
    ):
        # Python >= 3.12 warns on fork() in a process with threads (BLAS pools); the
        # workers run only numpy, scipy and igraph code on data they were sent.
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks")
        try:
            return list(pool.map(_call, [(func, t) for t in tasks], chunksize=chunk))
        except BrokenProcessPool as exc:
            raise WorkerLost(
                f"a worker process ended without sending its results ({exc}); {_ONE_PROCESS}"
            ) from exc


# ---- one call beside the caller ----------------------------------------------------------------
def can_fork() -> bool:
    """Whether this process may start a process by ``fork``: the platform has it (not
    Windows) and this process is not daemonic (a :class:`multiprocessing.Pool` worker,
    which may not start processes of its own).

    Examples
    --------
    >>> isinstance(can_fork(), bool)
    True
    """
    return "fork" in mp.get_all_start_methods() and not mp.current_process().daemon


@contextmanager
def in_background(
    func: Callable[..., R], /, *args: Any, enabled: bool = True, **kwargs: Any
) -> Iterator[Callable[[], R]]:
    """Compute ``func(*args, **kwargs)`` in a forked process while the caller goes on.

    Inside the block, the yielded function returns the result, waiting for it the first
    time it is asked for. The process is started by ``fork``, so it sees the caller's
    data without copying it; only the result comes back, pickled through a pipe. The
    warnings the call issues are issued again in the caller (so the caller's warning
    filters apply, as if it had run here), and its exception is raised in the caller.
    The process is made the leader of its own process group and may start worker
    processes of its own (:func:`parallel_map`); leaving the block stops the group if
    it is still running.

    When ``enabled`` is false, or :func:`can_fork` is not, nothing is started and the
    call runs in this process the first time its result is asked for, so the caller
    reads one code path.

    Parameters
    ----------
    func : callable
        What to compute; its result must be picklable (a picklable error is raised as
        it is, any other as a ``RuntimeError`` with its text).
    *args, **kwargs
        Its arguments (not pickled).
    enabled : bool
        Start the process (default); false computes the call here, on demand.

    Examples
    --------
    >>> with in_background(sum, [1, 2, 3]) as result:
    ...     pending = "the caller goes on"
    ...     total = result()
    >>> total
    6
    """
    if not enabled or not can_fork():
        done: list[R] = []

        def here() -> R:
            if not done:
                done.append(func(*args, **kwargs))
            return done[0]

        yield here
        return
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    with warnings.catch_warnings():
        # Python >= 3.12 warns on fork() in a process with threads (BLAS, Arrow pools)
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks")
        proc = ctx.Process(
            target=_run_into, args=(send, recv, os.getpid(), func, args, kwargs), daemon=False
        )
        proc.start()
    with suppress(OSError):  # as the child does: the group exists before either goes on
        os.setpgid(proc.pid, proc.pid)
    send.close()
    received: list[R] = []

    def result() -> R:
        if not received:
            received.append(_received(recv, proc))
        return received[0]

    try:
        yield result
    finally:
        recv.close()
        if proc.is_alive():
            _stop_group(proc)
        proc.join()


#: What :class:`~wpnet.errors.WorkerLost` advises.
_ONE_PROCESS = "WPNET_WORKERS=1 does all the work in one process"


def _ending(exitcode: int | None) -> str:
    """How a process ended, from its exit code (negative: the signal that killed it).

    Examples
    --------
    >>> _ending(3), _ending(-9)
    ('exit code 3', 'killed by signal 9, SIGKILL: the system may have run out of memory')
    """
    if exitcode is None or exitcode >= 0:
        return f"exit code {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = "an unknown signal"
    why = ": the system may have run out of memory" if -exitcode == signal.SIGKILL else ""
    return f"killed by signal {-exitcode}, {name}{why}"


def _stop_group(proc: Any) -> None:
    """Stop a background process and the workers it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):  # no group (not made): the process alone
        proc.terminate()


def _run_into(
    conn: Any, other_end: Any, caller: int, func: Callable[..., Any], args: tuple, kwargs: dict
) -> None:
    """In the background process: run the call, send (status, result or error, warnings)."""
    other_end.close()  # the caller's end, inherited: a caller gone must break the pipe
    _leave_inherited_objects()
    with suppress(OSError):  # not permitted here: the call still runs
        os.setpgid(0, 0)  # its own group, so that its workers stop with it
    _end_with_parent(caller, group=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out: tuple[str, Any] = ("ok", func(*args, **kwargs))
        except Exception as exc:  # sent to the caller, which raises it
            out = ("error", exc)
    kept = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
    if out[0] == "error" and _picklable(out[1], and_back=True) is not None:
        out = ("error", RuntimeError(f"{type(out[1]).__name__}: {out[1]}"))
    with suppress(BrokenPipeError):  # the caller is gone: there is no one to tell
        conn.send((*out, kept))
    conn.close()


def _received(recv: Any, proc: Any) -> Any:
    """The background call's result; its warnings re-issued, its error raised."""
    try:
        status, payload, caught = recv.recv()
    except EOFError:
        proc.join()
        raise WorkerLost(
            "the background process ended without sending its result "
            f"({_ending(proc.exitcode)}); {_ONE_PROCESS}"
        ) from None
    # one registry for the call's warnings, as a module's own: under the "default"
    # action a warning issued again and again at one place is shown once, as it would
    # have been had the call run here
    registry: dict[Any, Any] = {}
    for message, category, filename, lineno in caught:
        warnings.warn_explicit(message, category, filename, lineno, registry=registry)
    if status == "error":
        raise payload
    return payload
