"""`penhas sms`, `penhas jobs` and `penhas guardians` commands."""
import json

from typer.testing import CliRunner

from penhas_api.core.models import AuditLog, Guardian, SentSms
from penhas_api.core.services import guardians, jobs, sms
from penhas_cli.main import app as cli
from penhas_api.core.queue import PRIORITY_ALERT, PRIORITY_BULK, huey
from tests.factories import make_user
from tests.sms_helpers import closed_port_url, run_scheduled_retries, sms_provider

runner = CliRunner()


def invoke(*args):
    return runner.invoke(cli, list(args))


def user_with_guardian():
    user = make_user(nome_completo="Rita Lee")
    guardians.invite(user, "Ana", "11912341234")
    g = Guardian.get()
    guardians.guardian_action(g.token, "accept", "10.0.0.1")
    return user, g


def test_send_test():
    r = invoke("sms", "send-test", "11912341234")
    assert r.exit_code == 0, r.output
    row = SentSms.get()
    assert (row.kind, row.status, row.phonenumber) == ("test", "sent", "+5511912341234")
    assert row.sns_message_id in r.output and "+5511912341234" not in r.output
    assert AuditLog.get(AuditLog.action == "sms.send_test").target_id == str(row.id)

    r = invoke("sms", "send-test", "123")
    assert r.exit_code == 1 and "not a phone number" in r.output
    with sms_provider("sns", closed_port_url()):
        r = invoke("sms", "send-test", "11912341234")
    assert r.exit_code == 1 and "EndpointConnectionError" in r.output
    assert SentSms.select().where(SentSms.status == "failed").count() == 1


def test_jobs_status_counts_the_queue_per_priority():
    huey.immediate = False
    huey.flush()
    try:
        for _ in range(2):
            sms.queue_sms("+5511912341234", "x", "test", PRIORITY_BULK)
        sms.queue_sms("+5511912341234", "x", "alert", PRIORITY_ALERT)
        jobs.record_failure("backup.nightly", [], "disk full")
        data = json.loads(invoke("jobs", "status", "--json").output)
        table = invoke("jobs", "status").output
    finally:
        huey.flush()
        huey.immediate = True
    assert data == {"pending": 3, "pending_by_priority": {"100": 1, "0": 2}, "scheduled": 0, "failed": 1}
    assert "pending, priority 100" in table


def test_jobs_retry_arguments():
    assert invoke("jobs", "retry").exit_code == 1
    assert invoke("jobs", "retry", "5", "--all-failed").exit_code == 1
    r = invoke("jobs", "retry", "999")
    assert r.exit_code == 1 and "999" in r.output
    job = jobs.record_failure("no_such_task", [1], "boom")
    r = invoke("jobs", "retry", str(job.id))
    assert r.exit_code == 1 and "unknown task" in r.output
    assert "no_such_task" in invoke("jobs", "failed").output


def test_jobs_retry_one_by_id():
    with sms_provider("sns", closed_port_url()):
        row = sms.queue_sms("+5511912341234", "x", "alert", PRIORITY_ALERT)
        run_scheduled_retries()
    (failed,) = json.loads(invoke("jobs", "failed", "--json").output)
    r = invoke("jobs", "retry", str(failed["id"]))
    assert r.exit_code == 0 and "1 job(s) re-enqueued" in r.output
    assert SentSms.get_by_id(row.id).status == "sent"


def test_guardians_list_and_alerts():
    user, g = user_with_guardian()
    guardians.alert(user, "-23.5", "-46.6")
    r = invoke("guardians", "list", str(user.id), "--json")
    assert r.exit_code == 0
    (row,) = json.loads(r.output)
    assert (row["id"], row["nome"], row["status"], row["celular"]) == (g.id, "Ana", "accepted", "+5511*******34")
    full = json.loads(invoke("guardians", "list", str(user.id), "--json", "--show-numbers").output)
    assert full[0]["celular"] == "+5511912341234"
    assert AuditLog.select().where(AuditLog.action == "guardians.list").count() == 2
    assert "accepted" in invoke("guardians", "list", str(user.id)).output

    r = invoke("guardians", "alerts", str(user.id), "--json")
    assert r.exit_code == 0, (r.output, r.exception)
    (item,) = json.loads(r.output)
    assert item["status"] == "accepted" and item["gps"] is True
    (delivery,) = item["deliveries"]
    assert (delivery["guardiao_id"], delivery["nome"], delivery["status"], delivery["attempts"]) == (
        g.id, "Ana", "sent", 1)
    assert delivery["phonenumber"] == "+5511*******34"
    assert "sent" in invoke("guardians", "alerts", str(user.id)).output

    r = invoke("guardians", "list", "999999")
    assert r.exit_code == 1 and "user 999999 not found" in r.output
