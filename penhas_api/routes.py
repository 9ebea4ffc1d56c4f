"""The API's routes, registered on an app: the served app's (``create_app``) and a bare one that only describes
them (``routes_app``, for `penhas openapi`: no settings, database, queue or secrets are touched)."""
import importlib

from flask import Flask

from penhas_api.views import BLUEPRINTS


def register_blueprints(app: Flask) -> None:
    for module_name in BLUEPRINTS:
        module = importlib.import_module(f"penhas_api.views.{module_name}")
        app.register_blueprint(module.bp)


def routes_app() -> Flask:
    # Named like the served app so Flask's static route (penhas_api/static) is the same one.
    app = Flask("penhas_api.app")
    app.url_map.strict_slashes = False
    register_blueprints(app)
    return app
