"""Counts in the sentences Tutela prints: "1 row", "2 rows"."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """``number`` and its noun, singular for exactly one."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
