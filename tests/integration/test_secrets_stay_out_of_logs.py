"""Her data stays out of logs and nothing granting access sits in clear (issue 11, items 8 and 10): the embedded
SMS and mail backends log no text, no coordinates, no token, no code; `penhas sms list` shows texts only when the
operator asks for them (audited)."""
import logging
import re

import pytest
from typer.testing import CliRunner

from penhas_api.core.logs import JsonFormatter, setup_logging
from penhas_api.core.models import AuditLog, EmailOutbox, SentSms
from penhas_api.core.services import accounts, guardians
from penhas_cli.main import app as cli
from tests.factories import make_user
from tests.sms_helpers import sms_provider


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def every_log_line():
    """Every record of every logger, at DEBUG, as the JSON line it would be written as (logging configured as the
    API, the worker and the CLI configure it)."""
    loggers = [logging.getLogger(), logging.getLogger("penhas")]
    saved = [(lg, lg.level) for lg in loggers]
    setup_logging("DEBUG")
    capture = Capture()
    for lg in loggers:
        lg.addHandler(capture)
        lg.setLevel(logging.DEBUG)
    yield capture.lines
    for lg, level in saved:
        lg.removeHandler(capture)
        lg.setLevel(level)


def test_sms_texts_coordinates_tokens_and_codes_never_reach_a_log(db, every_log_line):
    user = make_user(nome_completo="Joana Darc Pereira")
    with sms_provider("log"):
        guardians.invite(user, "Ana", "11912341234")
        invite_text = SentSms.get(SentSms.kind == "invite").message
        token = re.search(r"token=([A-Z2-7]+)", invite_text).group(1)
        guardians.guardian_action(token, "accept", "10.0.0.1")
        guardians.alert(user, gps_lat="-23.550520", gps_long="-46.633308")
        accounts.request_password_reset(user.email, "10.0.0.2")
    text = "\n".join(every_log_line)
    assert every_log_line  # the sends were logged, without their contents
    for secret in (token, "23.55052", "46.63330", "maps.google", "Joana", "Pereira", "convidou", "socorro"):
        assert secret not in text, secret
    assert not re.search(r"\b\d{6}\b", text.replace(str(user.id), "")), "a reset code reached the log"
    # The reset code is not kept in clear either (the embedded mail backend has no SMTP server to hand it to).
    assert EmailOutbox.get().body == ""


def test_sms_list_shows_texts_only_when_asked_and_audits_it(db):
    user = make_user(nome_completo="Joana Darc Pereira")
    with sms_provider("log"):
        guardians.invite(user, "Ana", "11912341234")
    runner = CliRunner()
    plain = runner.invoke(cli, ["sms", "list", "--json"])
    assert plain.exit_code == 0 and "convidou" not in plain.output and "Joana" not in plain.output
    assert not AuditLog.select().where(AuditLog.action == "sms.list.show_texts").exists()
    shown = runner.invoke(cli, ["sms", "list", "--json", "--show-texts"])
    assert shown.exit_code == 0 and "convidou" in shown.output
    assert AuditLog.get(AuditLog.action == "sms.list.show_texts").detail["rows"] == 1
