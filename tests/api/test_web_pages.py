"""The WebView pages (mobile-contract §2.13, backend-rules §2.7) and the images the JSON points at."""
import re

from penhas_api.core.models import FaqCategory, FaqItem
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error


def test_terms_and_privacy_are_html(client):
    for path, heading in (("/web/termos-de-uso", "Termos de uso"), ("/web/politica-privacidade", "Política de privacidade")):
        r = client.get(path)
        assert r.status_code == 200 and r.mimetype == "text/html"
        assert heading in r.get_data(as_text=True)


def test_faq_lists_published_items_grouped_by_category_in_sort_order(client, db):
    hidden = FaqCategory.create(status="draft", sort=0, title="Rascunho")
    FaqItem.create(status="published", sort=0, title="Nunca aparece", content_html="x", category=hidden)
    test_only = FaqCategory.create(status="published", sort=0, title="Só teste", is_test=True)
    FaqItem.create(status="published", sort=0, title="Item de teste", content_html="x", category=test_only)
    html = client.get("/web/faq").get_data(as_text=True)
    assert "Nunca aparece" not in html and "Item de teste" not in html
    headers = re.findall(r'<h2 class="faq-categoria">([^<]+)</h2>', html)
    assert headers == ["Sobre o aplicativo", "Segurança e privacidade"]
    links = re.findall(r'<a class="faq-sobre-link" href="(/web/faq/\d+)">', html)
    assert len(links) == 3
    item = client.get(links[0])
    assert item.status_code == 200 and "O que é o PenhaS?" in item.get_data(as_text=True)


def test_faq_item_must_be_published_digits(client, db):
    draft_category = FaqCategory.get_by_id(1)
    draft = FaqItem.create(status="draft", sort=9, title="Rascunho", content_html="x", category=draft_category)
    for path in (f"/web/faq/{draft.id}", "/web/faq/999999", "/web/faq/1a", "/web/faq/99999999999999999999999"):
        assert_error(client.get(path), 404, "Page not found")


def test_contact_and_account_deletion_texts(client):
    assert "chat de suporte" in client.get("/web/faq/_botao_contato_").get_data(as_text=True)
    assert "Excluir conta" in client.get("/web/faq/conta-exclusao").get_data(as_text=True)


def test_web_pages_are_rate_limited_per_address(client, rate_limits):
    statuses = [client.get("/web/termos-de-uso").status_code for _ in range(101)]
    assert statuses[:100] == [200] * 100
    assert_error(client.get("/web/faq"), 429, "too_many_requests")


def test_avatar_urls_in_me_are_served(app, client):
    user = make_user()
    url = client.get("/me", headers=auth_headers(app, user)).get_json()["user_profile"]["avatar_url"]
    r = client.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert client.get("/avatar/anonimo.svg").status_code == 200
    assert_error(client.get("/avatar/../../settings.py"), 404, "Page not found")
    assert_error(client.get("/avatar/nada.svg"), 404, "Page not found")


def test_notification_icons_fall_back_to_the_default(client):
    assert client.get("/i/0.svg").mimetype == "image/svg+xml"
    assert client.get("/i/7.svg").get_data() == client.get("/i/0.svg").get_data()
    assert_error(client.get("/i/7.png"), 404, "Page not found")
