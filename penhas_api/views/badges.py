"""The Círculo PenhaS invitation page (backend-rules §11 item 10): GET shows it, POST accepts it."""
from html import escape

from flask import Blueprint, render_template

from penhas_api.core.services import badges
from penhas_api.declarations import declare
from penhas_api.limits import ip_key, limiter
from penhas_api.params import Field, get_params
from penhas_api.schemas import HTML, STR

bp = Blueprint("badges", __name__)

# Read by the view, never refused: a bad or missing token is the page's own message.
TOKEN = {"token": Field("str", description="the token of the e-mailed link (cut at 2000 characters)")}
PAGE_ERRORS = ("A link that is invalid, cancelled, expired or already used answers 400 with the same HTML page "
               "and its message.")


def _page(result: dict, token: str):
    html = f"<p>{escape(result['message'])}</p>"
    if result["status"] == "pending":
        html += (f'<form method="post" action="/badge/accept"><input type="hidden" name="token" '
                 f'value="{escape(token, quote=True)}"><button type="submit">Confirmar</button></form>')
    status = 200 if result["status"] in ("pending", "confirmed_success") else 400
    return render_template("web_page.html", title="Círculo PenhaS", html=html), status


@bp.get("/badge/accept")
@limiter.limit("100 per hour", key_func=ip_key)
@declare("The Círculo PenhaS invitation page", "web", documented=TOKEN, description=PAGE_ERRORS, ok=(HTML, STR),
         error_pages={400: "a link invalid, cancelled, expired or already used"}, limited=True)
def show_invite(_v):
    token = (get_params().get("token") or "")[:2000]
    return _page(badges.invite_page(token), token)


@bp.post("/badge/accept")
@limiter.limit("100 per hour", key_func=ip_key)
@declare("Accept the Círculo PenhaS invitation", "web", documented=TOKEN, description=PAGE_ERRORS, ok=(HTML, STR),
         error_pages={400: "a link invalid, cancelled, expired or already used"}, limited=True)
def accept_invite(_v):
    token = (get_params().get("token") or "")[:2000]
    return _page(badges.accept_invite(token), token)
