"""The array module of a backend: numpy for ``"cpu"``, cupy (checked) for ``"gpu"``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["array_module", "device_sync", "require_cupy"]


def require_cupy() -> Any:
    """Return the cupy module, or raise ``RuntimeError`` saying what is missing."""
    try:
        import cupy  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise RuntimeError(
            "backend='gpu' needs cupy, which is not installed; install the 'gpu' extra "
            "(pip install 'isingbench[gpu]') on a machine with a CUDA GPU, or use backend='cpu'"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # noqa: BLE001 - cupy raises its own CUDA error types
        raise RuntimeError(f"backend='gpu' needs a CUDA device, but CUDA reports: {exc}") from exc
    if count < 1:
        raise RuntimeError("backend='gpu' needs a CUDA device, but none was found")
    return cupy


def array_module(backend: str) -> Any:
    """The array module for ``backend``: numpy for ``"cpu"``, cupy (checked) for ``"gpu"``."""
    return np if backend == "cpu" else require_cupy()


def device_sync(backend: str) -> Callable[[], None] | None:
    """The device synchronise for ``backend="gpu"`` (clear error without cupy or a GPU)."""
    if backend != "gpu":
        return None
    return require_cupy().cuda.Device().synchronize
