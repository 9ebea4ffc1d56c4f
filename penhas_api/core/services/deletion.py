"""Erasing a user everywhere.

Database rows that are hers go with the ``clientes`` row through ``ON DELETE CASCADE`` (every table that
references ``clientes`` must declare it, or have an eraser). What lives outside the database (stored objects,
cache keys) or was derived from her rows is removed by the erasers listed in ``ERASERS``; each receives the
user id, runs before the row is deleted and must be idempotent (a failed deletion is retried). The list is
written out here, not collected from imports, so a deletion run from any process (worker, CLI, a bare script)
runs every one of them.
"""
from typing import Callable

from penhas_api.core.services import audio, centers

ERASERS: tuple[Callable[[int], None], ...] = (
    audio.erase_user_audio,  # her recordings' objects in storage
    centers.erase_ratings,  # the centers' averages her ratings fed
)


def run_erasers(cliente_id: int) -> None:
    for eraser in ERASERS:
        eraser(cliente_id)
