"""HTML pages the app opens in its WebView (mobile-contract §2.13) and the images its JSON points at."""
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, render_template, send_from_directory

from penhas_api.core.errors import not_found
from penhas_api.core.services import content
from penhas_api.declarations import declare
from penhas_api.limits import ip_key, limiter
from penhas_api.params import Field
from penhas_api.schemas import HTML, STR

bp = Blueprint("web", __name__)
STATIC = Path(__file__).resolve().parents[1] / "static"
# One bucket for all pages, as the original ("WEB<ip>").
_web_limit = limiter.shared_limit("100/hour", scope="web", key_func=lambda: "WEB" + ip_key())


def _declare_page(summary: str, **kwargs):
    # Every page is HTML and shares one rate limit; a page whose text was never loaded is not found.
    return declare(summary, "web", ok=(HTML, STR), errors={404: ("Page not found",)}, limited=True, **kwargs)


def _declare_image(summary: str, content_type: str):
    return declare(summary, "web", ok=(content_type, {}), other={304: "Not modified (a conditional request)"},
                   errors={404: ("Page not found",)})


def _page(title: str, html: str | None, **extra):
    return render_template("web_page.html", title=title, html=html or "", **extra)


@bp.get("/web/faq")
@_web_limit
@_declare_page("About PenhaS: the FAQ index")
def faq_index(_v):
    return _page("Sobre o PenhaS", content.texts().texto_faq_index, sections=content.faq_sections())


@bp.get("/web/faq/_botao_contato_")
@_web_limit
@_declare_page("The FAQ's contact page")
def faq_contact(_v):
    return _page("Fale conosco", content.texts().texto_faq_contato, back=True)


@bp.get("/web/faq/conta-exclusao")
@_web_limit
@_declare_page("How to delete the account")
def faq_account_deletion(_v):
    return _page("Exclusão de conta", content.texts().texto_conta_exclusao, back=True)


@bp.get("/web/faq/<faq_id>")
@_web_limit
@_declare_page("One FAQ answer", path={"faq_id": Field("int")})
def faq_item(_v, faq_id):
    item = content.faq_item(faq_id)
    return _page(item.title, item.content_html, back=True)


@bp.get("/web/termos-de-uso")
@_web_limit
@_declare_page("Terms of use")
def terms(_v):
    return _page("Termos de uso", content.texts().termos_de_uso)


@bp.get("/web/politica-privacidade")
@_web_limit
@_declare_page("Privacy policy")
def privacy(_v):
    return _page("Política de privacidade", content.texts().privacidade)


@bp.get("/avatar/<name>")
@_declare_image("An avatar image the JSON answers point at (SVG, or PNG for news)", "*/*")
def avatar(_v, name):
    return _static("avatar", name)


@bp.get("/i/<name>")
@_declare_image("A notification icon (an unknown `.svg` name gets the default icon)", "image/svg+xml")
def icon(_v, name):
    return _static("i", name)


@lru_cache(maxsize=None)
def _shipped(folder: str) -> frozenset:
    # The shipped files never change while the process runs: list them once, not on every request.
    return frozenset(p.name for p in (STATIC / folder).iterdir())


def _static(folder: str, name: str):
    # Only the files we ship (compared by name, never probed on disk); the default icon stands in for
    # notification icons we do not have.
    if name not in _shipped(folder):
        if folder == "i" and name.endswith(".svg"):
            name = "0.svg"
        else:
            raise not_found()
    return send_from_directory(STATIC / folder, name, max_age=86400)
