"""gunicorn configuration for the Procfile's `web:` line (`gunicorn -c python:penhas_api.gunicorn_conf …`).

The same settings as `penhas serve` (penhas_api.web_server.gunicorn_settings); bind and workers stay on the
command line. A configuration error stops the start with one line naming the variable.
"""
import sys

from penhas_api.core.settings import ConfigError, get_settings
from penhas_api.web_server import gunicorn_settings

try:
    _settings = get_settings()
except ConfigError as exc:
    sys.exit(f"configuration error: {exc}")

globals().update(gunicorn_settings(_settings.log_level))
