"""GET /metrics (Prometheus), and the hook that counts every request for it.

Off unless METRICS_TOKEN is set (then nothing is counted either); the scraper sends it as
``Authorization: Bearer <token>``.
"""
import hmac
import time

from flask import Blueprint, Response, g, request

from penhas_api.core.errors import not_found, permission_denied
from penhas_api.core.services import metrics
from penhas_api.core.settings import get_settings
from penhas_api.declarations import declare
from penhas_api.schemas import STR

bp = Blueprint("metrics", __name__)


@bp.after_app_request
def _count(response):
    if get_settings().metrics_token and request.endpoint != "metrics.scrape":
        started = g.get("started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        # The route template, not the path: ids in paths would make one series per user.
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.record_request(route, request.method, response.status_code, seconds)
    return response


@bp.get("/metrics")
@declare("Prometheus metrics of the requests served", "health",
         description="Needs `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN set the route does not "
                     "exist (404). The body is the Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).",
         ok=("text/plain", STR), errors={403: ("permission_denied",), 404: ("Page not found",)})
def scrape(_v):
    token = get_settings().metrics_token
    if not token:
        raise not_found()
    sent = request.headers.get("Authorization", "")
    if not sent.startswith("Bearer ") or not hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
        raise permission_denied()
    return Response(metrics.render(), content_type=metrics.CONTENT_TYPE)
