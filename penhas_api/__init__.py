"""PenhaS backend: the Flask API door. Domain code lives in ``penhas_api.core``."""


def create_app(settings=None, config=None):
    # Imported lazily so the CLI and the worker can use ``penhas_api.core`` without building an app.
    from penhas_api.app import create_app as _create_app

    return _create_app(settings, config)
