"""Blueprint modules, one per domain; each exposes ``bp``. Registered in this order by create_app()."""

BLUEPRINTS = [
    "health",
    "metrics",
    "accounts",
    "me",
    "audio",
    "guardians",
    "centers",
    "web",
    "quiz",
    "people",
    "chat",
    "timeline",
    "news",
    "badges",
    "openapi",
]
