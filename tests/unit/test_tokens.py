"""Opaque signed tokens: a token is only valid for the purpose it was made for."""
import pytest

from penhas_api.core.errors import PenhasError
from penhas_api.core.tokens import sign, unsign


def test_round_trip_and_purpose_separation():
    token = sign("NFTP", {"c": 1, "before": 10})
    assert "/" not in token and "?" not in token and "#" not in token
    assert unsign("NFTP", token, "next_page") == {"c": 1, "before": 10}
    with pytest.raises(PenhasError) as exc:
        unsign("U:NP", token, "next_page")
    assert exc.value.body() == {"error": "form_error", "message": "Campos não foram preenchidos corretamente "
                                "(next_page)", "field": "next_page", "reason": "invalid"}


def test_tampered_token_is_refused():
    token = sign("NFTP", {"c": 1})
    with pytest.raises(PenhasError):
        unsign("NFTP", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "next_page")
