"""gunicorn configuration for the Procfile's `web:` line (`gunicorn -c python:penhas_api.gunicorn_conf …`).

The same settings as `penhas serve` (penhas_api.web_server.gunicorn_settings); bind and workers stay on the
command line.
"""
from penhas_api.core.settings import get_settings
from penhas_api.web_server import gunicorn_settings

globals().update(gunicorn_settings(get_settings().log_level))
