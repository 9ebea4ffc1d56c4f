"""Page security headers (issue 11, item 12): the guardian page (token in the URL) and every HTML page refuse to
be framed, send no Referer and are not content-sniffed."""
import pytest

from penhas_api.core.models import Guardian
from penhas_api.core.services import guardians
from tests.factories import make_user

EXPECTED = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
HTML = {"Accept": "text/html"}


def assert_protected(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.headers)


def test_guardian_page_refuses_framing_and_referrers(client, db):
    guardians.invite(make_user(), "Ana", "11912341234")
    token = Guardian.get().token
    page = client.get("/web/guardiao", query_string={"token": token}, headers=HTML)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert_protected(page)
    assert_protected(client.post("/web/guardiao", query_string={"token": token, "action": "accept"}, headers=HTML))
    assert_protected(client.get("/web/guardiao", query_string={"token": "AAAA"}, headers=HTML))


@pytest.mark.parametrize("path", ["/web/faq", "/web/termos-de-uso", "/web/politica-privacidade",
                                  "/web/faq/_botao_contato_", "/web/faq/conta-exclusao"])
def test_every_html_page_refuses_framing_and_referrers(client, path):
    r = client.get(path)
    assert r.mimetype == "text/html", r.status_code
    assert_protected(r)


def test_api_answers_and_errors_carry_them_too(client):
    assert_protected(client.get("/health"))
    assert_protected(client.get("/no-such-page"))
