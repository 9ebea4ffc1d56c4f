"""Badges by the operator (backend-rules §11 item 10): list, assign to many accounts, revoke; and the invitation
the ``circulo-penhas`` badge needs (she accepts by e-mail link, ``GET/POST /badge/accept``).

Other badges are granted at once, to women only, for a year. Every batch is audited with its summary counts
(never the e-mails it was given).
"""
import re
from datetime import timedelta

from penhas_api.core import clock
from penhas_api.core.adapters.mail import send_mail
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import Badge, BadgeInvite, Cliente, ClienteTag
from penhas_api.core.settings import get_settings
from penhas_api.core.tokens import sign, unsign

INVITE_BADGE = "circulo-penhas"
INVITE_PURPOSE = "BdgInv"
INVITE_DAYS = 400
GRANT = timedelta(days=365)
FEMALE = ("Feminino", "MulherTrans")


def list_badges() -> list[dict]:
    now = clock.now()
    out = []
    for badge in Badge.select().order_by(Badge.id):
        holders = (ClienteTag.select(ClienteTag.cliente).distinct()
                   .where(ClienteTag.badge == badge.id, ClienteTag.valid_until > now).count())
        pending = BadgeInvite.select().where(BadgeInvite.badge == badge.id, BadgeInvite.accepted == False,  # noqa
                                             BadgeInvite.deleted == False).count()  # noqa: E712
        out.append({"id": badge.id, "code": badge.code, "name": badge.name, "city": badge.linked_cep_cidade,
                    "holders": holders, "pending_invites": pending})
    return out


def get_badge(code_or_id: str) -> Badge:
    badge = (Badge.get_or_none(Badge.id == int(code_or_id)) if str(code_or_id).isdigit()
             else Badge.get_or_none(Badge.code == code_or_id))
    if badge is None:
        raise PenhasError("badge_not_found", f"Selo {code_or_id} não existe.", 404)
    return badge


def _resolve(identifiers: list[str]) -> tuple[list[Cliente], list[str]]:
    """Accounts named by ids or e-mails (separated by commas, spaces or new lines); the rest are not found."""
    tokens = [t for item in identifiers for t in re.split(r"[\s,;]+", item) if t]
    found, missing, seen = [], [], set()
    for token in tokens:
        user = (Cliente.get_or_none(Cliente.id == int(token)) if token.isdigit()
                else Cliente.get_or_none(Cliente.email == token.lower()))
        if user is None:
            missing.append(token)
        elif user.id not in seen:
            seen.add(user.id)
            found.append(user)
    return found, missing


def _active(badge: Badge, user: Cliente) -> bool:
    return ClienteTag.select().where(ClienteTag.badge == badge.id, ClienteTag.cliente == user.id,
                                     ClienteTag.valid_until > clock.now()).exists()


def _pending(badge: Badge, user: Cliente) -> BadgeInvite | None:
    return BadgeInvite.get_or_none(BadgeInvite.badge == badge.id, BadgeInvite.cliente == user.id,
                                   BadgeInvite.accepted == False, BadgeInvite.deleted == False)  # noqa: E712


def summary_line(counts: dict) -> str:
    return (f"Processamento concluído: {counts['added']} adicionados, {counts['removed']} removidos, "
            f"{counts['invited']} convites enviados, {counts['kept']} mantidos/ignorados, "
            f"{counts['not_found']} usuários não encontrados, {counts['errors']} erros.")


def _batch(code_or_id: str, identifiers: list[str]):
    """The badge, the accounts found, the summary counts and the rows of the identifiers that matched nobody."""
    badge = get_badge(code_or_id)
    users, missing = _resolve(identifiers)
    counts = {"added": 0, "removed": 0, "invited": 0, "kept": 0, "not_found": len(missing), "errors": 0}
    rows = [{"identifier": m, "cliente_id": None, "action": "not_found"} for m in missing]
    return badge, users, counts, rows


def assign(code_or_id: str, identifiers: list[str], dry_run: bool = False) -> dict:
    """Give a badge to accounts. Returns per-account actions and the summary counts (§11 item 10)."""
    badge, users, counts, rows = _batch(code_or_id, identifiers)
    now = clock.now()
    for user in users:
        if user.status != "active" or not user.is_female:
            action = "ignored"
        elif _active(badge, user):
            action = "kept"
        elif badge.code == INVITE_BADGE:
            action = "kept" if _pending(badge, user) else "invite"
        else:
            action = "add"
        rows.append({"identifier": str(user.id), "cliente_id": user.id, "action": action})
        if action in ("kept", "ignored"):
            counts["kept"] += 1
            continue
        if dry_run:
            counts["invited" if action == "invite" else "added"] += 1
            continue
        try:
            if action == "invite":
                _invite(badge, user)
                counts["invited"] += 1
            else:
                ClienteTag.create(cliente=user.id, badge=badge.id, valid_until=now + GRANT, created_on=now)
                counts["added"] += 1
        except Exception:  # noqa: BLE001 - one failed e-mail must not stop the batch; it is counted
            rows[-1]["action"] = "error"
            counts["errors"] += 1
    if not dry_run:
        audit("badges.assign", "badge", badge.id, **counts)
    return {"badge": badge.code, "dry_run": dry_run, "rows": rows, "counts": counts, "summary": summary_line(counts)}


def revoke(code_or_id: str, identifiers: list[str], dry_run: bool = False) -> dict:
    """Expire the badge of accounts now and cancel their pending invitations."""
    badge, users, counts, rows = _batch(code_or_id, identifiers)
    now = clock.now()
    for user in users:
        invite = _pending(badge, user)
        if not _active(badge, user) and invite is None:
            counts["kept"] += 1
            rows.append({"identifier": str(user.id), "cliente_id": user.id, "action": "kept"})
            continue
        rows.append({"identifier": str(user.id), "cliente_id": user.id, "action": "remove"})
        counts["removed"] += 1
        if dry_run:
            continue
        with database.atomic():
            ClienteTag.update(valid_until=now).where(ClienteTag.badge == badge.id, ClienteTag.cliente == user.id,
                                                     ClienteTag.valid_until > now).execute()
            BadgeInvite.update(deleted=True, deleted_on=now, modified_on=now).where(
                BadgeInvite.badge == badge.id, BadgeInvite.cliente == user.id, BadgeInvite.accepted == False,  # noqa
                BadgeInvite.deleted == False).execute()  # noqa: E712
    if not dry_run:
        audit("badges.revoke", "badge", badge.id, **counts)
    return {"badge": badge.code, "dry_run": dry_run, "rows": rows, "counts": counts, "summary": summary_line(counts)}


def _invite(badge: Badge, user: Cliente) -> None:
    now = clock.now()
    invite = BadgeInvite.create(badge=badge.id, cliente=user.id, created_on=now)
    token = sign(INVITE_PURPOSE, {"bid": badge.id, "uid": user.id, "inv": invite.id})
    url = f"{get_settings().public_url}/badge/accept?token={token}"
    body = (f"Olá, {user.nome_social or user.apelido}!\n\nVocê foi convidada a fazer parte do {badge.name}.\n"
            f"Para confirmar sua inscrição, abra o link abaixo:\n\n{url}\n\nEquipe PenhaS")
    send_mail(user.email, "Confirmação de inscrição - Voluntária PenhaS/Círculo PenhaS", body, cliente_id=user.id)


# ------------------------------------------------------------------------------------------ acceptance page

class InviteError(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _load_invite(token: str) -> tuple[BadgeInvite, Badge]:
    try:
        payload = unsign(INVITE_PURPOSE, token or "", "token", max_age=INVITE_DAYS * 86400)
    except PenhasError:
        raise InviteError("invalid_token", "O link utilizado é inválido.") from None
    if not isinstance(payload, dict) or not all(isinstance(payload.get(k), int) for k in ("bid", "uid", "inv")):
        raise InviteError("invalid_payload", "O link utilizado é inválido.")
    invite = BadgeInvite.get_or_none(BadgeInvite.id == payload["inv"])
    if invite is None:
        raise InviteError("invite_not_found", "Este convite foi cancelado ou expirou.")
    if invite.badge_id != payload["bid"] or invite.cliente_id != payload["uid"]:
        raise InviteError("token_mismatch", "O link utilizado é inválido.")
    if invite.deleted:
        raise InviteError("invite_deleted", "Este convite foi cancelado ou expirou.")
    if invite.accepted:
        raise InviteError("invite_already_accepted", "Este convite já foi aceito anteriormente.")
    return invite, Badge.get_by_id(invite.badge_id)


def invite_page(token: str) -> dict:
    """What the acceptance page shows before she confirms."""
    try:
        _, badge = _load_invite(token)
    except InviteError as err:
        return {"status": err.status, "message": err.message}
    return {"status": "pending", "message": f"Confirme sua participação no {badge.name}.", "badge": badge.name}


def accept_invite(token: str) -> dict:
    try:
        invite, badge = _load_invite(token)
    except InviteError as err:
        return {"status": err.status, "message": err.message}
    now = clock.now()
    with database.atomic():
        updated = BadgeInvite.update(accepted=True, accepted_on=now, modified_on=now).where(
            BadgeInvite.id == invite.id, BadgeInvite.accepted == False).execute()  # noqa: E712
        if not updated:
            return {"status": "invite_already_accepted", "message": "Este convite já foi aceito anteriormente."}
        ClienteTag.create(cliente=invite.cliente_id, badge=badge.id, valid_until=now + GRANT, created_on=now)
    return {"status": "confirmed_success", "message": f"Pronto! Agora você faz parte do {badge.name}."}
