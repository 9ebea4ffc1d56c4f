"""The alert pipeline end to end: SMS through SNS (moto) or the log, an SNS outage, retries, operator retry.

Promise under test: an alert is accepted even when SNS is down; its SMS are retried with backoff, then kept as
failed jobs; `penhas jobs retry --all-failed` delivers them once SNS is back; no SMS is lost or sent twice.
"""
import json
import os

import pytest
from typer.testing import CliRunner

from penhas_api.core.models import AuditLog, FailedJob, Guardian, SentSms
from penhas_cli.main import app as cli
from penhas_api.core.queue import PRIORITY_ALERT, huey
from tasks.sms import send_sms
from tests.factories import auth_headers, make_user
from tests.helpers import needs_sns
from tests.sms_helpers import add_guardian, closed_port_url, moto_sms, random_mobile, run_scheduled_retries, sms_provider

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(cli, list(args))
    return result


@pytest.fixture
def user(app):
    return make_user(nome_completo="Beatriz Souza", apelido="bia")


@pytest.fixture
def headers(app, user):
    return auth_headers(app, user)


def add_accepted_guardians(client, headers, n):
    numbers = [random_mobile() for _ in range(n)]
    for number in numbers:
        add_guardian(client, headers, number)
    return numbers


def alert_rows():
    return list(SentSms.select().where(SentSms.kind == "alert").order_by(SentSms.id))


def outage_then_recovery(client, headers, recovered_backend, recovered_endpoint=None):
    numbers = add_accepted_guardians(client, headers, 2)
    with sms_provider("sns", closed_port_url()):
        r = client.post("/me/guardioes/alert", query_string={"gps_lat": "-23.5", "gps_long": "-46.6"},
                        headers=headers)
        assert r.status_code == 200 and r.get_json()["title"] == "2 alertas enviados!"
        assert [(s.status, s.attempts) for s in alert_rows()] == [("retrying", 1)] * 2
        delays = run_scheduled_retries()
    # Huey's exponential backoff, per SMS: 2, 4, 8, 16, 32 seconds, then no more automatic attempts.
    assert sorted(delays) == sorted([2, 4, 8, 16, 32] * 2)
    rows = alert_rows()
    assert [(s.status, s.attempts, s.sns_message_id) for s in rows] == [("failed", 6, None)] * 2
    assert all("EndpointConnectionError" in s.last_error for s in rows)

    failed = json.loads(invoke("jobs", "failed", "--json").output)
    assert sorted((f["name"], tuple(f["args"]), f["priority"]) for f in failed) == sorted(
        ("send_sms", (s.id,), PRIORITY_ALERT) for s in rows)
    listed = json.loads(invoke("sms", "list", "--failed", "--json").output)
    assert sorted(x["id"] for x in listed) == [s.id for s in rows]
    assert all(x["to"] not in numbers and x["to"][-2:] in {n[-2:] for n in numbers} for x in listed)
    assert json.loads(invoke("jobs", "status", "--json").output)["failed"] == 2

    with sms_provider(recovered_backend, recovered_endpoint):
        result = invoke("jobs", "retry", "--all-failed")
        assert result.exit_code == 0 and "2 job(s) re-enqueued" in result.output
        rows = alert_rows()
        assert [(s.status, s.attempts) for s in rows] == [("sent", 7)] * 2
        assert sorted(s.phonenumber for s in rows) == sorted(numbers)
        assert json.loads(invoke("jobs", "failed", "--json").output) == []
        assert FailedJob.select().where(FailedJob.status == "retried").count() == 2
        assert AuditLog.select().where(AuditLog.action == "jobs.retry").count() == 2
        # The same task delivered again (queue redelivery, a second operator retry): nothing is sent twice.
        for s in rows:
            huey.enqueue(send_sms.s(s.id, priority=PRIORITY_ALERT))
        assert [(s.status, s.attempts) for s in alert_rows()] == [("sent", 7)] * 2
        assert invoke("jobs", "retry", str(FailedJob.get().id)).exit_code == 1
    return alert_rows()


def test_sns_outage_then_operator_retry_delivers_through_the_log_backend(client, headers):
    rows = outage_then_recovery(client, headers, "log")
    assert all(s.sns_message_id.startswith("log-") for s in rows)


@needs_sns
def test_sns_outage_then_operator_retry_delivers_through_sns(client, headers):
    endpoint = os.environ["SNS_ENDPOINT_URL"]
    rows = outage_then_recovery(client, headers, "sns", endpoint)
    published = [m for m in moto_sms(endpoint) if m["message_id"] in {s.sns_message_id for s in rows}]
    assert sorted(m["phone_number"] for m in published) == sorted(s.phonenumber for s in rows)
    assert len(published) == len(rows)  # each exactly once


@needs_sns
def test_invite_sms_goes_through_sns_and_shows_in_sms_list(client, headers):
    endpoint = os.environ["SNS_ENDPOINT_URL"]
    number = random_mobile()
    with sms_provider("sns", endpoint):
        r = client.post("/me/guardioes", query_string={"nome": "Ana", "celular": number}, headers=headers)
        assert r.status_code == 200
    row = SentSms.get()
    assert row.status == "sent" and row.sns_message_id and not row.sns_message_id.startswith("log-")
    (published,) = [m for m in moto_sms(endpoint) if m["message_id"] == row.sns_message_id]
    assert published["phone_number"] == number and published["message"] == row.message
    assert "web/guardiao?token=" + Guardian.get().token in published["message"]
    listed = json.loads(invoke("sms", "list", "--to", number, "--json", "--show-numbers").output)
    assert [(x["id"], x["to"], x["status"], x["sns_message_id"]) for x in listed] == [
        (row.id, number, "sent", row.sns_message_id)]


def test_invite_through_the_log_backend_shows_in_sms_list(client, headers):
    number = random_mobile()
    with sms_provider("log"):
        client.post("/me/guardioes", query_string={"nome": "Ana", "celular": number}, headers=headers)
    result = invoke("sms", "list")
    assert result.exit_code == 0 and "invite" in result.output and "sent" in result.output
    assert number not in result.output and number[:5] in result.output
    listed = json.loads(invoke("sms", "list", "--to", number, "--json").output)
    assert len(listed) == 1 and listed[0]["sns_message_id"].startswith("log-")
    assert json.loads(invoke("sms", "list", "--to", random_mobile(), "--json").output) == []
