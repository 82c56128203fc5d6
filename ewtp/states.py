"""Explicit state machines: a table of allowed moves, checked before every transition."""

from __future__ import annotations

from collections.abc import Mapping

from ewtp.exceptions import Conflict


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[str, set[str]]) -> None:
        self.name = name
        self.transitions = transitions

    def can(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, set())

    def check(self, current: str, target: str) -> None:
        if not self.can(current, target):
            raise Conflict(f"A {self.name} cannot go from '{current}' to '{target}'.",
                           code="invalid_transition", field="status")
