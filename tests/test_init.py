"""The public API of ``import wpnet``: every name means one thing, however it is reached."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import wpnet

CHECK = textwrap.dedent(
    """
    import importlib, pkgutil, types
    import wpnet
    # import every submodule first, as pytest's doctest collection does: a submodule that
    # shares a public name would then shadow the function in the package namespace
    for info in pkgutil.walk_packages(wpnet.__path__, "wpnet."):
        importlib.import_module(info.name)
    bad = [
        name for name in wpnet.__all__
        if name != "__version__"
        and isinstance(getattr(wpnet, name), types.ModuleType)
        and name not in wpnet._CALLABLE_MODULES
    ]
    assert not bad, bad
    assert all(callable(getattr(wpnet, n)) for n in wpnet.__all__ if n != "__version__")
    print("ok")
    """
)


def test_public_names_stay_functions_after_every_submodule_is_imported():
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_reflections_is_the_function():
    assert isinstance(wpnet.reflections, types.FunctionType)
    assert wpnet.reflections.__module__ == "wpnet.evaluation"


def test_unknown_name_is_an_attribute_error():
    try:
        wpnet.no_such_thing  # noqa: B018
    except AttributeError as err:
        assert "no_such_thing" in str(err)
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("expected AttributeError")
