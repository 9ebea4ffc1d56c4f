from flask import Blueprint, jsonify

from penhas_api.core.services.health import ready_checks
from penhas_api.declarations import declare
from penhas_api.schemas import NUM, const, json, obj

bp = Blueprint("health", __name__)

CHECKS = {"type": "object", "additionalProperties": obj({"status": {"enum": ["ok", "down"]}, "latency_ms": NUM}),
          "description": "each dependency by name"}


@bp.get("/health")
@declare("Liveness: the process answers", "health", ok=json(obj({"status": const("ok")})))
def health(_v):
    return {"status": "ok"}


@bp.get("/health/ready")
@declare(
    "Readiness: every dependency answers", "health",
    description="When a check is down the answer is 503 with the error envelope (`not_ready`) plus `status: "
                "down`, the same `checks` and `down`, the names of the failed checks.",
    ok=json(obj({"status": const("ok"), "checks": CHECKS})),
    errors={503: ("not_ready",)},
)
def ready(_v):
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
