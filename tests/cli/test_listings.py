"""Every listing command takes --json, and tables keep identifiers, dates and phone numbers whole: on an
80-column terminal the free-text columns wrap instead, and in a pipe each row is one whole line."""
import io
import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

import penhas_cli.output as output
from penhas_api.core.db import connection
from penhas_api.core.services import sms as sms_service
from penhas_cli.main import app
from tests.cli.test_help_examples import COMMANDS

runner = CliRunner()

# Commands that list rows (besides every command named `list`).
LISTINGS = [["users", "find"], ["users", "show"], ["db", "status"], ["jobs", "status"], ["jobs", "failed"],
            ["jobs", "schedule"], ["notify", "segments"], ["centers", "search"], ["guardians", "alerts"],
            ["audio", "orphans"], ["health"], ["stats"]]


@pytest.mark.parametrize("path", [p for p in COMMANDS if p and p[-1] == "list"] + LISTINGS, ids=" ".join)
def test_every_listing_takes_json(path):
    assert path in COMMANDS
    result = runner.invoke(app, path + ["--help"], terminal_width=200)
    assert "--json" in result.output, result.output


def test_db_status_json():
    result = runner.invoke(app, ["db", "status", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert rows and all(r["applied"] for r in rows) and rows[0]["version"] == "0001"


def _long_sms():
    with connection():
        sms_service.log_sms("+5511987654321", "teste", "guardian_alert", 100,
                            notes={})
        from penhas_api.core.models import SentSms

        SentSms.update(last_error="ServiceUnavailable: the provider did not answer in time, retrying later",
                       sns_message_id="ab12cd34-ef56-7890-abcd-ef1234567890").execute()


def test_sms_list_on_an_80_column_terminal_keeps_number_date_and_ids_whole(monkeypatch):
    _long_sms()
    screen = io.StringIO()
    monkeypatch.setattr(output, "console", Console(file=screen, width=80, force_terminal=True, color_system=None))
    assert runner.invoke(app, ["sms", "list", "--show-numbers"]).exit_code == 0
    text = screen.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80, text
    row = next(line for line in text.splitlines() if "+5511987654321" in line)
    assert "2026-" in row and len(row.split("│")[2].strip()) == len("2026-12-01 10:20:30"), text


def test_sms_list_in_a_pipe_is_one_whole_line_per_row():
    _long_sms()
    result = runner.invoke(app, ["sms", "list", "--show-numbers"], terminal_width=80)
    assert result.exit_code == 0
    row = next(line for line in result.output.splitlines() if "+5511987654321" in line)
    assert "ab12cd34-ef56-7890-abcd-ef1234567890" in row and "did not answer in time" in row
