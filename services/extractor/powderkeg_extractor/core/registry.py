"""Named, versioned registries of the extractor's stage functions, in the manner of spaCy's ``registry``.

A stage function is registered under a name ``<stage>.<what>.v<N>`` (``actor.pronoun.v1``); the pipeline's order
(``core/stages/__init__.py``) lists names, and the name a strategy is registered under is what it writes into
the ``reason`` of the fields it decides. A changed behaviour is a new version (``actor.pronoun.v2``) registered
beside the old one, so that an order naming ``v1`` keeps meaning what it meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Generic, TypeVar

F = TypeVar("F", bound=Callable[..., object])

NAME = re.compile(r"^[a-z][a-z_]*(?:\.[a-z][a-z_]*)+\.v[1-9][0-9]*$")


class Registry(Generic[F]):
    """Functions of one kind (``kind`` names it in errors) by registered name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._functions: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Decorator: register the function under ``name``; a name is registered once."""
        if not NAME.match(name):
            raise ValueError(f"{self.kind} name {name!r} is not of the form <stage>.<what>.v<N>")

        def add(function: F) -> F:
            if name in self._functions:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._functions[name] = function
            return function

        return add

    def get(self, name: str) -> F:
        try:
            return self._functions[name]
        except KeyError:
            known = ", ".join(sorted(self._functions)) or "none"
            raise KeyError(f"no {self.kind} registered as {name!r} (registered: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._functions

    def names(self) -> list[str]:
        return sorted(self._functions)
