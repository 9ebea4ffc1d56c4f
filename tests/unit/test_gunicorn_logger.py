"""penhas_api/web_server.py: gunicorn runs with the logger that builds no access-log line (issue 17)."""
import pytest
from gunicorn.config import Config

from penhas_api.web_server import NoAccessLogger, gunicorn_settings


class _Untouchable:
    def __getattr__(self, name):
        pytest.fail(f"the access log read the request's {name}")


def test_gunicorn_is_configured_with_the_logger_that_builds_no_access_line():
    cfg = Config()
    cfg.set("logger_class", gunicorn_settings("INFO")["logger_class"])
    assert cfg.logger_class is NoAccessLogger
    # gunicorn's own Logger.access would read every header and environ entry of the request to build its atoms.
    logger = object.__new__(NoAccessLogger)
    assert logger.access(_Untouchable(), _Untouchable(), _Untouchable(), None) is None
