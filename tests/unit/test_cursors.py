"""One cursor module: a cursor is good only for its purpose, its owner and its lifetime."""
import pytest

from penhas_api.core import cursors, tokens
from penhas_api.core.errors import PenhasError


def _refused(call, field="next_page"):
    with pytest.raises(PenhasError) as exc:
        call()
    assert (exc.value.status, exc.value.error, exc.value.field, exc.value.reason) == (400, "form_error", field,
                                                                                     "invalid")


def test_round_trip_is_url_safe():
    token = cursors.issue("test:list", {"before": 10, "t": "2026-01-01T00:00:00"}, owner=7)
    assert not set("/?#") & set(token)
    assert cursors.read("test:list", token, owner=7) == {"before": 10, "t": "2026-01-01T00:00:00"}
    public = cursors.issue("test:list", {"offset": 3})
    assert cursors.read("test:list", public) == {"offset": 3}


def test_forged_cursor_is_refused():
    token = cursors.issue("test:list", {"before": 10}, owner=7)
    _refused(lambda: cursors.read("test:list", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), owner=7))
    _refused(lambda: cursors.read("test:list", "garbage", owner=7))
    # Signed with the right secret and purpose but not shaped by issue(): still refused.
    _refused(lambda: cursors.read("test:list", tokens.sign("test:list", [1, 2]), owner=7))


def test_other_purpose_is_refused_and_names_the_field():
    token = cursors.issue("test:list", {"before": 10}, owner=7)
    _refused(lambda: cursors.read("test:other", token, field="older", owner=7), field="older")


def test_other_owner_is_refused():
    token = cursors.issue("test:list", {"before": 10}, owner=7)
    _refused(lambda: cursors.read("test:list", token, owner=8))
    # A cursor of her list is not a public one, and a public one is nobody's.
    _refused(lambda: cursors.read("test:list", token))
    _refused(lambda: cursors.read("test:list", cursors.issue("test:list", {"offset": 3}), owner=7))


def test_expired_cursor_is_refused(monkeypatch):
    token = cursors.issue("test:list", {"before": 10}, owner=7)
    assert cursors.read("test:list", token, owner=7, max_age=60) == {"before": 10}
    import time
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)
    _refused(lambda: cursors.read("test:list", token, owner=7, max_age=60))
