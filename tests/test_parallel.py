"""wpnet._parallel: the pool gives exactly the one-process result, in task order."""

from __future__ import annotations

import numpy as np
import pytest

from wpnet._parallel import parallel_map, resolve_workers, task_seeds


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
