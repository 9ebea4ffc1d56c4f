"""Tweet ids: YYMMDDTHHMMSS + 4-digit sequence, unique across processes (the database, or Redis when set)."""
import multiprocessing
import re

from penhas_api.core.services.tweet_ids import next_tweet_id


def _many(n: int) -> list[str]:
    # A fresh interpreter (spawn): its own connection, as another web worker would have.
    from penhas_api.core.db import database, init_db

    init_db()
    with database.connection_context():
        return [next_tweet_id() for _ in range(n)]


def test_format_and_sequence(db, frozen_clock):
    first, second = next_tweet_id(), next_tweet_id()
    assert re.fullmatch(r"[0-9]{6}T[0-9]{10}", first)
    assert (first, second) == ("261123T1200000001", "261123T1200000002")
    frozen_clock.advance(seconds=1)
    assert next_tweet_id() == "261123T1200010001"


def test_no_collisions_across_processes(db):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        batches = pool.map(_many, [150, 150, 150])
    ids = [i for batch in batches for i in batch]
    assert len(ids) == len(set(ids)) == 450
    assert all(re.fullmatch(r"[0-9]{6}T[0-9]{10}", i) for i in ids)
