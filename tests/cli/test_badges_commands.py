"""`penhas badges` and the invitation page (rules §11 item 10)."""
import json
import re

from typer.testing import CliRunner

from penhas_api.core import clock
from penhas_api.core.models import AuditLog, Badge, BadgeInvite, ClienteTag, EmailOutbox
from penhas_cli.main import app
from tests.factories import make_user

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["badges", *map(str, args)], env={"PENHAS_OPERATOR": "ana.ops"})


def badge(code):
    return Badge.create(code=code, name=f"Selo {code}", description="d", image_url="u", image_url_black="u",
                        created_on=clock.now())


def test_assign_grants_directly_with_summary_and_dry_run():
    b = badge("voluntaria")
    a, c, man = make_user(), make_user(), make_user(genero="Masculino")
    r = run("assign", "voluntaria", f"{a.id},{c.email}", man.id, "ninguem@example.com", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "Processamento concluído: 2 adicionados, 0 removidos, 0 convites enviados, 1 mantidos/ignorados, " \
           "1 usuários não encontrados, 0 erros." in " ".join(r.output.split())
    assert ClienteTag.select().count() == 0 and AuditLog.select().count() == 0
    result = json.loads(run("assign", b.id, a.id, c.id, "--json").output)
    assert result["counts"]["added"] == 2 and ClienteTag.select().count() == 2
    assert json.loads(run("assign", "voluntaria", a.id, "--json").output)["counts"]["kept"] == 1
    listed = json.loads(run("list", "--json").output)
    assert [(x["code"], x["holders"]) for x in listed] == [("voluntaria", 2)]
    result = json.loads(run("revoke", "voluntaria", a.id, "--json").output)
    assert result["counts"]["removed"] == 1
    assert json.loads(run("list", "--json").output)[0]["holders"] == 1
    assert [(x.action, x.detail["added"], x.detail["removed"]) for x in AuditLog.select().order_by(AuditLog.id)] \
        == [("badges.assign", 2, 0), ("badges.assign", 0, 0), ("badges.revoke", 0, 1)]
    assert run("assign", "nope", a.id).exit_code == 1


def test_circulo_penhas_invitation_accepted_on_the_page(client):
    badge("circulo-penhas")
    her = make_user()
    r = run("assign", "circulo-penhas", her.email)
    assert "1 convites enviados" in r.output
    assert json.loads(run("assign", "circulo-penhas", her.id, "--json").output)["counts"]["kept"] == 1  # pending
    mail = EmailOutbox.get()
    assert mail.to_address == her.email and mail.subject.startswith("Confirmação de inscrição")
    token = re.search(r"token=(\S+)", mail.body).group(1)
    page = client.get("/badge/accept", query_string={"token": token})
    assert page.status_code == 200 and "Confirmar" in page.get_data(as_text=True)
    assert ClienteTag.select().count() == 0
    done = client.post("/badge/accept", data={"token": token})
    assert done.status_code == 200 and "Pronto!" in done.get_data(as_text=True)
    assert ClienteTag.get().cliente_id == her.id and BadgeInvite.get().accepted
    again = client.post("/badge/accept", data={"token": token})
    assert again.status_code == 400 and "já foi aceito" in again.get_data(as_text=True)
    bad = client.get("/badge/accept", query_string={"token": token[:-3] + "xyz"})
    assert bad.status_code == 400 and "inválido" in bad.get_data(as_text=True)


def test_revoked_invitation_cannot_be_accepted(client):
    badge("circulo-penhas")
    her = make_user()
    run("assign", "circulo-penhas", her.id)
    token = re.search(r"token=(\S+)", EmailOutbox.get().body).group(1)
    assert json.loads(run("revoke", "circulo-penhas", her.id, "--json").output)["counts"]["removed"] == 1
    r = client.post("/badge/accept", data={"token": token})
    assert r.status_code == 400 and "cancelado" in r.get_data(as_text=True)
    assert ClienteTag.select().count() == 0


def test_every_badges_command_has_an_example():
    for command in ("list", "assign", "revoke"):
        r = runner.invoke(app, ["badges", command, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output
