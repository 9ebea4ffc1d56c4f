"""The single error handler: every failure leaves as the contract's JSON body, never HTML or a traceback."""
import logging

import peewee
from flask import jsonify
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from penhas_api.core.errors import PenhasError, internal_error, not_found, too_many_requests

log = logging.getLogger("penhas.api")


def render(err: PenhasError):
    response = jsonify(err.body())
    response.status_code = err.status
    return response


def register_error_handlers(app):
    @app.errorhandler(PenhasError)
    def _penhas(err):
        return render(err)

    @app.errorhandler(RateLimitExceeded)
    def _limited(_err):
        return render(too_many_requests())

    @app.errorhandler(peewee.IntegrityError)
    def _integrity(err):
        log.warning("integrity error: %s", err.__class__.__name__)
        text = str(err).lower()
        if "foreign key" in text:
            return render(PenhasError("fk_violation", "Referência inválida.", 400))
        return render(PenhasError(
            "duplicate_key_violation",
            "You violated an unique constraint! Please verify your input fields and try again.", 400))

    @app.errorhandler(HTTPException)
    def _http(err):
        if err.code == 404:
            return render(not_found())
        if err.code == 405:
            return render(PenhasError("method_not_allowed", "Método não permitido para este endereço.", 405))
        if err.code == 413:
            return render(PenhasError("request_too_large", "O envio é grande demais.", 413))
        if err.code == 400 and isinstance(err.__context__, TimeoutError):
            # werkzeug's "client disconnected" over a socket timeout: the client stopped sending its body and the
            # threaded worker gave up waiting (web_server.py), gunicorn's worker timeout in a sync worker.
            log.warning("request body not received in time")
            return render(PenhasError("service_unavailable",
                                      "O servidor demorou demais para responder. Tente novamente em instantes.", 503))
        if err.code == 400:
            return render(PenhasError("bad_request", "Requisição inválida.", 400))
        return render(PenhasError("http_error", err.name, err.code or 500))

    @app.errorhandler(Exception)
    def _crash(err):
        log.exception("unhandled error: %s", err.__class__.__name__)
        return render(internal_error())
