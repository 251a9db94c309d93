"""The ``sample()`` keyword surface, read once from the signature and checked in one way.

Every emulator writes its ``sample`` with an explicit keyword-only signature (what ``help()``
shows) and an ``Args:`` docstring section. From that one signature:

* :func:`sample_keywords` gives the keywords and their defaults, so a sampler's
  ``parameters`` cannot drift from what ``sample`` accepts (and Python itself refuses an
  unknown keyword with a ``TypeError`` naming it);
* a machine lists a :data:`Check` per keyword that needs one (``keyword_checks``); the base
  class runs them all before any timed section starts.

The check factories (:func:`integer`, :func:`number`, :func:`one_of`, :func:`optional`) and
the checks :func:`flag` and :func:`truth` wrap :mod:`.validation`, so the messages are the
same everywhere.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from emulators._core.validation import check_choice, check_positive_float, check_positive_int

__all__ = [
    "Check",
    "args_section",
    "explain_unknown_keywords",
    "flag",
    "integer",
    "number",
    "one_of",
    "optional",
    "sample_keywords",
    "truth",
]

#: ``check(name, value) -> normalised value``; raises ``TypeError``/``ValueError`` naming ``name``.
Check = Callable[[str, Any], Any]


def integer(minimum: int = 1, maximum: int | None = None) -> Check:
    """An integer in ``[minimum, maximum]``."""
    return functools.partial(_integer, minimum=minimum, maximum=maximum)


def _integer(name: str, value: Any, *, minimum: int, maximum: int | None) -> int:
    return check_positive_int(name, value, minimum, maximum)


def number(*, allow_zero: bool = False, maximum: float | None = None) -> Check:
    """A finite number > 0 (``>= 0`` with ``allow_zero``), at most ``maximum``."""
    return functools.partial(check_positive_float, allow_zero=allow_zero, maximum=maximum)


def one_of(*choices: str) -> Check:
    """One of ``choices``."""
    return functools.partial(_one_of, choices=choices)


def _one_of(name: str, value: Any, *, choices: tuple[str, ...]) -> str:
    return check_choice(name, value, choices)


def optional(check: Check) -> Check:
    """``None``, or a value that passes ``check``."""
    return functools.partial(_optional, check=check)


def _optional(name: str, value: Any, *, check: Check) -> Any:
    return None if value is None else check(name, value)


def truth(name: str, value: Any) -> bool:
    """The truth value of ``value`` (for switches such as ``record_trace``)."""
    return bool(value)


def flag(name: str, value: Any) -> bool:
    """``True`` or ``False`` (numpy booleans included)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


@functools.cache
def sample_keywords(cls: type) -> dict[str, Any]:
    """The keyword-only parameters of ``cls.sample`` and their defaults, in signature order.

    Raises ``TypeError`` if ``sample`` hides keywords behind ``**kwargs``.
    """
    signature = inspect.signature(cls.sample)
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        raise TypeError(f"{cls.__name__}.sample must list its keywords explicitly, not **kwargs")
    return {name: p.default for name, p in signature.parameters.items()
            if p.kind is p.KEYWORD_ONLY}


def explain_unknown_keywords(sample: Callable) -> Callable:
    """``sample`` refusing an unknown keyword with a ``TypeError`` that lists the accepted
    ones (Python's own message names only the unknown one). The wrapper keeps ``sample``'s
    signature and docstring (``help()``, :func:`sample_keywords`, doctests see the original).
    """
    signature = inspect.signature(sample)
    accepted = [name for name, p in signature.parameters.items() if p.kind is p.KEYWORD_ONLY]

    @functools.wraps(sample)
    def checked(self, *args: Any, **kwargs: Any) -> Any:
        unknown = [name for name in kwargs if name not in accepted]
        if unknown:
            raise TypeError(
                f"{type(self).__name__}.sample() got unknown keyword argument(s) "
                f"{', '.join(map(repr, unknown))}; accepted: {', '.join(accepted)}")
        return sample(self, *args, **kwargs)

    return checked


_ARG_LINE = re.compile(r"^(?P<indent> *)(?P<name>\w+)(?: \([^)]*\))?:\s*(?P<text>.*)$")


def args_section(docstring: str | None) -> dict[str, str]:
    """``{name: description}`` from the ``Args:`` section of a Google-style docstring.

    Descriptions are joined into one line; the section ends at the next unindented heading
    (``Returns:``, ``Examples:``, ...).
    """
    lines = inspect.cleandoc(docstring or "").splitlines()
    out: dict[str, str] = {}
    try:
        start = lines.index("Args:") + 1
    except ValueError:
        return out
    name = indent = None
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        match = _ARG_LINE.match(line)
        if match and (indent is None or len(match["indent"]) == indent):
            indent = len(match["indent"])
            name = match["name"]
            out[name] = match["text"].strip()
        elif name is not None and line.strip():
            out[name] = f"{out[name]} {line.strip()}".strip()
    return out
