from flask import Blueprint, jsonify

from penhas_api.core.services.health import ready_checks

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    return {"status": "ok"}


@bp.get("/health/ready")
def ready():
    checks = ready_checks()
    down = [c.name for c in checks if not c.ok]
    body = {
        "status": "ok" if not down else "down",
        "checks": {c.name: {"status": "ok" if c.ok else "down", "latency_ms": c.latency_ms} for c in checks},
    }
    if down:
        body.update(error="not_ready", message="Serviços indisponíveis: " + ", ".join(down), down=down)
    response = jsonify(body)
    response.status_code = 200 if not down else 503
    return response
