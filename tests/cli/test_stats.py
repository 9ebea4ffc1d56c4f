"""`penhas stats` on a seeded database: real figures in JSON and in the rich report."""
import json
from datetime import timedelta

from typer.testing import CliRunner

from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.models import Center, ClienteAudioEvento, MediaUpload, PanicAlert, SentSms
from penhas_cli.main import app
from tests.factories import make_user

runner = CliRunner()


def _center(uf: str, categoria: int, status: str = "active"):
    now = clock.now()
    return Center.create(created_on=now, updated_at=now, nome=f"Centro {uf}", natureza="publico", categoria=categoria,
                         tipo_logradouro="Rua", nome_logradouro="A", bairro="Centro", municipio="X", uf=uf,
                         cep="01310100", status=status)


def _seed(frozen_clock):
    now = frozen_clock.now
    with database.connection_context():
        users = [make_user(created_on=now - timedelta(days=d)) for d in (0, 0, 1, 40)]
        make_user(status="banned", created_on=now - timedelta(days=2))
        make_user(modo_camuflado_ativo=True, modo_anonimo_ativo=True)
        for days, status in ((0, "accepted"), (0, "accepted"), (3, "too_many_alerts"), (45, "accepted")):
            PanicAlert.create(cliente=users[0], created_at=now - timedelta(days=days), status=status)
        for status in ("sent", "sent", "sent", "failed"):
            SentSms.create(phonenumber="+5511999990000", message="x", created_at=now, kind="alert", priority=10,
                           status=status, updated_at=now)
        _center("SP", 5), _center("SP", 8), _center("RJ", 5), _center("MG", 5, status="disabled")
        for i, (status, size) in enumerate((("free_access", 1000), ("blocked_access", 2500))):
            ClienteAudioEvento.create(event_id=f"{users[0].id}:{i}", cliente=users[0], created_at=now,
                                      audio_duration=1, updated_at=now, status=status, total_bytes=size,
                                      last_cliente_created_at=now, estava_em_situacao_risco=False)
        MediaUpload.create(id="m1", file_sha1="x", file_size=3500, s3_path="audio/m1", cliente=users[0],
                           intention="guardiao", created_at=now, enc_key_id="k", enc_wrapped_key="w")


def test_stats_json_reports_real_figures(frozen_clock):
    _seed(frozen_clock)
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["skipped"] == []
    users = data["users"]
    assert users["total"] == 6 and users["by_status"] == {"active": 5, "banned": 1}
    assert users["active_by_mode"] == {"camouflage": 1, "anonymous": 1}
    signups = {d["day"]: d["count"] for d in users["signups_per_day"]}
    assert len(signups) == 30 and signups["2026-11-23"] == 3 and signups["2026-11-22"] == 1
    assert signups["2026-11-21"] == 1 and sum(signups.values()) == 5  # the 40-day-old sign-up is outside
    alerts = {d["day"]: d["count"] for d in data["alerts"]["per_day"]}
    assert alerts["2026-11-23"] == 2 and alerts["2026-11-20"] == 1 and sum(alerts.values()) == 3
    assert data["alerts"]["last_days_by_status"] == {"accepted": 2, "too_many_alerts": 1}
    assert (data["sms"]["sent"], data["sms"]["failed"]) == (3, 1)
    assert data["centers"]["active_by_uf"] == {"RJ": 1, "SP": 2}
    assert data["centers"]["active_by_category"] == {"Delegacia da Mulher": 2, "Casa da Mulher Brasileira": 1}
    assert data["centers"]["by_status"] == {"active": 3, "disabled": 1}
    assert data["audio"]["events"] == 2 and data["audio"]["event_bytes"] == 3500
    assert data["audio"]["storage_bytes"] == 3500 and data["audio"]["stored_objects"] == 1
    assert data["queue"] == {"pending": 0, "scheduled": 0, "failed_jobs": 0}
    # Aggregates only.
    assert "@example.com" not in result.output and "Maria" not in result.output


def test_stats_report_draws_the_daily_chart(frozen_clock):
    _seed(frozen_clock)
    result = runner.invoke(app, ["stats", "--days", "7"], env={"COLUMNS": "150"})
    assert result.exit_code == 0, result.output
    assert "sign-ups per day, last 7 days (total 5)" in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("11-23")]
    # The busiest day gets the full bar: 3 sign-ups, 2 alerts (each chart scaled to its own peak).
    assert lines[0].split()[:2] == ["11-23", "3"] and "█" * 40 in lines[0]
    assert "Delegacia da Mulher" in result.output and "SP" in result.output
    assert "sent 3, failed 1" in result.output
