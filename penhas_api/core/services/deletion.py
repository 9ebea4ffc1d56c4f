"""Erasing a user everywhere.

Database rows that are hers go with the ``clientes`` row through ``ON DELETE CASCADE`` (every table that
references ``clientes`` must declare it, or register an eraser). What lives outside the database (stored
objects, cache keys) is removed by erasers that features register with ``@user_eraser``; each receives the
user id, runs before the row is deleted and must be idempotent (a failed deletion is retried).
"""
from typing import Callable

ERASERS: list[Callable[[int], None]] = []


def user_eraser(fn: Callable[[int], None]) -> Callable[[int], None]:
    ERASERS.append(fn)
    return fn


def run_erasers(cliente_id: int) -> None:
    for eraser in ERASERS:
        eraser(cliente_id)
