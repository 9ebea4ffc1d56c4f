"""Accounts: sign-up, login and lockout, password reset, sessions, deletion (LGPD) and the operator's actions.

Rules: backend-rules §2.2, §3 and §11; the wire format lives in the views. Passwords are hashed by
``core.passwords``, CPFs kept as keyed digests by ``core.adapters.cpf``.
"""
import base64
import functools
import hmac
import logging
import os
import re
import secrets
import smtplib
from datetime import date, datetime, timedelta

from peewee import fn

from penhas_api.core import clock, queue
from penhas_api.core.adapters import cep as cep_adapter
from penhas_api.core.adapters import cpf as cpf_adapter
from penhas_api.core.adapters.mail import send_mail
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError, form_error, not_found
from penhas_api.core.keys import keyed_digest
from penhas_api.core.models import (
    Cliente, ClienteSession, CpfCache, CpfErro, DeleteLog, LoginErro, LoginLog, NotificationLog, NotificationMessage,
    ResetPassword,
)
from penhas_api.core.passwords import check_strength, hash_password, strength_error, verify_password
from penhas_api.core.services.center_suggestions import cep_not_found
from penhas_api.core.services.deletion import run_erasers

log = logging.getLogger("penhas.accounts")

MAX_EMAIL_ERRORS_BEFORE_LOCK = 15
LOCK_ERRORS_WINDOW = timedelta(minutes=60)
WAIT_SECONDS_TO_ACCOUNT_UNLOCK = 86400
DELETE_GRACE_DAYS = 30
# A deletion that started but did not finish (worker died) is picked up again after this long.
DELETION_RETRY_AFTER = timedelta(hours=1)

RESET_DIGITS = 6
RESET_TTL_SECONDS = 3600
RESET_MIN_TTL_RETRY = 216
# A code younger than 94 % of its life is "still on its way": no second e-mail (as the original).
RESET_RESEND_AFTER_SECONDS = 3384
MAX_RESET_ATTEMPTS = 5
# Codes mailed to one account, counted whatever the IP that asked: a code killed by wrong guesses is not simply
# replaced by a fresh one.
RESET_TASK_NAME = "accounts.send_reset_code"
RESET_CODES_PER_HOUR = 3
RESET_CODES_PER_DAY = 10
# The one answer to every well-formed reset request: it must not tell whether the e-mail has an account
# (backend-rules §15.5); the app shows `message` as it is.
RESET_ANSWER = {"message": "Se houver uma conta com este e-mail, enviamos para ele um código com 6 números. "
                           "Confira também a caixa de spam.",
                "ttl": RESET_TTL_SECONDS, "digits": RESET_DIGITS, "min_ttl_retry": RESET_MIN_TTL_RETRY}
# The sign-up CPF and e-mail checks say whether a value has an account (the contract keeps them): each value may be
# checked this often, whatever the IP (the per-IP limits are in the view).
SIGNUP_CHECKS_PER_VALUE_PER_HOUR = 5
SIGNUP_CHECKS_PER_VALUE_PER_DAY = 10

LOGIN_STATUSES = ("active", "deleted_scheduled", "banned")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def current_password_mismatch() -> PenhasError:
    return form_error("senha_atual", "invalid", "Senha atual não confere.")


def new_salt_key() -> str:
    # 8 random bytes in base85: 10 characters, like the original's Z85 key half.
    return base64.b85encode(os.urandom(8)).decode()


# ---------------------------------------------------------------------------------------------------- sessions

def revoke_sessions(cliente_id: int, keep_session_id: int | None = None) -> int:
    """End every session of the user at once (tokens naming them are refused from the next request)."""
    query = ClienteSession.delete().where(ClienteSession.cliente == cliente_id)
    if keep_session_id is not None:
        query = query.where(ClienteSession.id != keep_session_id)
    return query.execute()


def purge_expired_sessions() -> int:
    return ClienteSession.delete().where(ClienteSession.expires_at <= clock.now()).execute()


def purge_expired_cpf_errors() -> int:
    return CpfErro.delete().where(CpfErro.reset_at <= clock.now()).execute()


# ---------------------------------------------------------------------------------------------------- CEP

CEP_TASK_NAME = "cliente_update_cep"
# `cep_estado = ''` marks "lookup queued" (as the original): the housekeeping sweep only queues NULL rows.
CEP_LOOKUP_QUEUED = ""
CEP_SWEEP_BATCH = 100


class CepNotResolved(Exception):
    """ViaCEP answered that it does not know the account's CEP; the job fails so the queue tries again later."""


def check_signup_fields(values: dict) -> dict:
    """Sign-up rules on the validated fields of a full (not dry) sign-up (backend-rules §3): a trans or "outro"
    gender needs a nome_social, which nobody else keeps; a strong password; the apelido trimmed."""
    if re.search(r"trans|outro", values["genero"], re.IGNORECASE):
        if not values.get("nome_social"):
            raise form_error("nome_social", "is_required")
    else:
        values["nome_social"] = ""
    check_strength(values["senha"])
    values["apelido"] = values["apelido"].strip()
    return values


def check_signup_cep(cep: str) -> None:
    """Sign-up step 3: refuse a CEP that ViaCEP says does not exist.

    When ViaCEP cannot answer (down, slow, garbage) the sign-up goes on with the CEP unchecked: a woman must not be
    turned away by our supplier's outage, and ``cliente_update_cep`` resolves the CEP later (one attempt here, so a
    hanging ViaCEP costs her one timeout, not several)."""
    try:
        found = cep_adapter.lookup(cep, attempts=1)
    except cep_adapter.CepUnavailable as exc:
        log.warning("ViaCEP unavailable at sign-up, CEP accepted unchecked: %s", exc)
        return
    if found is None:
        raise cep_not_found(cep)


def enqueue_cep_update(cliente_id: int) -> None:
    """Queue ``cliente_update_cep`` for a committed account (the worker must see the row). When the queue is
    unreachable the "queued" marker is cleared, so the housekeeping sweep queues the lookup again."""
    try:
        queue.enqueue(CEP_TASK_NAME, cliente_id)
    except Exception as exc:
        log.error("CEP lookup not queued: %s", exc.__class__.__name__, extra={"user_id": cliente_id})
        Cliente.update(cep_estado=None).where(Cliente.id == cliente_id,
                                              Cliente.cep_estado == CEP_LOOKUP_QUEUED).execute()


def queue_missing_cep_updates(batch: int = CEP_SWEEP_BATCH) -> int:
    """Queue the lookup for accounts whose CEP was never looked up (``cep_estado`` NULL: rows imported from the old
    system, a queue outage at sign-up). Claimed with a conditional update, so two sweeps never queue one twice."""
    queued = 0
    pending = Cliente.select(Cliente.id).where(Cliente.cep_estado.is_null()).order_by(Cliente.id).limit(batch)
    for row in pending:
        claimed = (Cliente.update(cep_estado=CEP_LOOKUP_QUEUED)
                   .where(Cliente.id == row.id, Cliente.cep_estado.is_null()).execute())
        if claimed:
            enqueue_cep_update(row.id)
            queued += 1
    return queued


def update_cep(cliente_id: int) -> str:
    """Job ``cliente_update_cep``: fill ``cep_cidade``, ``cep_estado`` and ``cep_ibge`` (the municipality code the
    support-center search uses for Regional coverage) from ViaCEP.

    Idempotent: a missing account or one already resolved is left alone. ViaCEP down (``CepUnavailable``) or not
    knowing the CEP (``CepNotResolved``, as the original: it may be a transient answer) raise, so the queue retries;
    after the last attempt ``cep_estado`` stays '' and the task is dropped with one log line (not
    listed in failed_jobs: nobody must act on it)."""
    user = Cliente.get_or_none(Cliente.id == cliente_id)
    if user is None:
        return "missing"
    if user.cep_estado and user.cep_ibge:
        return "resolved"
    address = cep_adapter.lookup(user.cep, attempts=1)  # the queue's own retries back off between attempts
    if address is None:
        raise CepNotResolved("ViaCEP does not know the account's CEP")
    # Only for the CEP that was looked up: never write one CEP's city over another.
    (Cliente.update(cep_cidade=address.localidade, cep_estado=address.uf,
                    cep_ibge=str(address.ibge) if address.ibge is not None else None)
     .where(Cliente.id == cliente_id, Cliente.cep == user.cep).execute())
    return "updated"


# ---------------------------------------------------------------------------------------------------- sign-up

def cpf_taken(cpf: str) -> bool:
    hashes = [cpf_adapter.cpf_hash(cpf), cpf_adapter.legacy_cpf_hash(cpf)]
    return Cliente.select().where(Cliente.cpf_hash.in_(hashes)).exists()


def email_taken(email: str, except_id: int | None = None) -> bool:
    query = Cliente.select().where(Cliente.email == normalize_email(email))
    if except_id is not None:
        query = query.where(Cliente.id != except_id)
    return query.exists()


def email_already_exists() -> PenhasError:
    return PenhasError(
        "email_already_exists",
        'E-mail já possui uma conta. Por favor, faça o o login, ou utilize a função "Esqueci minha senha".',
        400, field="email", reason="duplicate")


def signup(data: dict, remote_ip: str, app_version: str | None, dry: bool):
    """Check (``dry``) or create an account. ``data`` holds validated values; returns the new Cliente or None."""
    if not dry and email_taken(data["email"]):
        raise email_already_exists()
    cpf_adapter.get_cpf_verifier().verify(data["cpf"], data["dt_nasc"], data["nome_completo"], remote_ip)
    if cpf_taken(data["cpf"]):
        raise PenhasError("cpf_already_exists", "Este CPF já possui uma conta. Entre em contato com o suporte caso não "
                                                "lembre do e-mail utilizado.", 400)
    if dry:
        return None
    now = clock.now()
    with database.atomic():
        user = Cliente.create(
            status="active", created_on=now, email=normalize_email(data["email"]),
            nome_completo=data["nome_completo"], cpf_hash=cpf_adapter.cpf_hash(data["cpf"]),
            cpf_prefix=cpf_adapter.cpf_prefix(data["cpf"]), dt_nasc=data["dt_nasc"], cep=data["cep"],
            senha_hash=hash_password(data["senha"]), genero=data["genero"], apelido=data["apelido"],
            raca=data["raca"], nome_social=data.get("nome_social") or "", genero_outro=data.get("genero_outro"),
            salt_key=new_salt_key(), skills_cached=[], last_activity_at=now,
            cep_estado=CEP_LOOKUP_QUEUED,
        )
        LoginLog.create(cliente=user, remote_ip=remote_ip, app_version=app_version, created_at=now)
    enqueue_cep_update(user.id)
    return user


# ---------------------------------------------------------------------------------------------------- login

def reject_weak_login_password(senha: str) -> None:
    """A password that could never have been set is refused before it counts against the IP's limit."""
    if strength_error(senha) is not None:
        raise PenhasError("wrongpassword_tooweak",
                          'Sua senha é fraca. Por favor, clique no botão "Esqueci minha senha" para resetar.',
                          400, field="password", reason="invalid")


def wrong_password() -> PenhasError:
    return PenhasError("wrongpassword", "E-mail ou senha inválida.", 400, field="password", reason="invalid")


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def login(email: str, senha: str, remote_ip: str, app_version: str | None) -> Cliente:
    """Check the password and the account's state; the caller opens the session.

    An unknown e-mail gets the wrong-password answer after checking the password against a dummy hash, so neither
    the answer nor its time tells whether the e-mail has an account."""
    user = Cliente.get_or_none(Cliente.email == normalize_email(email), Cliente.status.in_(LOGIN_STATUSES))
    if user is None:
        verify_password(senha, _dummy_hash())
        raise wrong_password()
    now = clock.now()
    if user.login_status == "NOK":
        blocked_at = user.login_status_last_blocked_at
        if blocked_at is not None and now - blocked_at < timedelta(seconds=WAIT_SECONDS_TO_ACCOUNT_UNLOCK):
            raise PenhasError("login_status_nok", "Logon para este e-mail está suspenso temporariamente.", 400)
        Cliente.update(login_status="OK", login_status_last_blocked_at=None).where(Cliente.id == user.id).execute()
        user.login_status = "OK"
    if user.login_status == "BLOCK":
        raise PenhasError("login_status_block", "Logon para este e-mail está suspenso interminavelmente.", 400)
    ok, needs_rehash = verify_password(senha, user.senha_hash)
    if not ok:
        LoginErro.create(cliente=user, remote_ip=remote_ip, created_at=now)
        recent = LoginErro.select().where(LoginErro.cliente == user,
                                          LoginErro.created_at > now - LOCK_ERRORS_WINDOW).count()
        if recent >= MAX_EMAIL_ERRORS_BEFORE_LOCK:
            Cliente.update(login_status="NOK", login_status_last_blocked_at=now).where(Cliente.id == user.id).execute()
            log.warning("login locked after repeated wrong passwords", extra={"user_id": user.id})
        raise wrong_password()
    if needs_rehash:
        user.senha_hash = hash_password(senha)
        Cliente.update(senha_hash=user.senha_hash).where(Cliente.id == user.id).execute()
    if user.status == "banned":
        raise PenhasError("ban", "A conta suspensa.", 400, field="email", reason="invalid")
    Cliente.update(qtde_login_senha_normal=Cliente.qtde_login_senha_normal + 1).where(Cliente.id == user.id).execute()
    LoginLog.create(cliente=user, remote_ip=remote_ip, app_version=app_version, created_at=now)
    return user


# ---------------------------------------------------------------------------------------------------- reset

def _code_digest(reset_id: int, code: str) -> str:
    # Bound to the row: a digest copied onto another request does not match.
    return keyed_digest("reset-code", f"{reset_id}:{code}")


def _live_reset(user: Cliente):
    return (ResetPassword.select()
            .where(ResetPassword.cliente == user, ResetPassword.used_at.is_null(),
                   ResetPassword.valid_until >= clock.now(), ResetPassword.attempts < MAX_RESET_ATTEMPTS)
            .order_by(ResetPassword.id.desc()).first())


def request_password_reset(email: str, remote_ip: str) -> dict:
    """Every well-formed request gets ``RESET_ANSWER``: known or unknown e-mail, code pending, cap reached or mail
    server down alike. The look-up and the e-mail happen in a queued task, so the answer takes as long either way."""
    try:
        queue.enqueue(RESET_TASK_NAME, normalize_email(email), remote_ip)
    except Exception as exc:
        log.error("reset request not queued: %s", exc.__class__.__name__)
    return dict(RESET_ANSWER)


def send_reset_code(email: str, remote_ip: str) -> str:
    """Mail a fresh code unless one is still on its way or the account's cap is reached; returns what happened."""
    user = Cliente.get_or_none(Cliente.email == normalize_email(email))
    if user is None:
        return "unknown"
    now = clock.now()
    pending = _live_reset(user)
    if pending is not None and (now - pending.created_at).total_seconds() < RESET_RESEND_AFTER_SECONDS:
        return "pending"
    for window, cap in ((timedelta(hours=1), RESET_CODES_PER_HOUR), (timedelta(days=1), RESET_CODES_PER_DAY)):
        issued = ResetPassword.select().where(ResetPassword.cliente == user,
                                              ResetPassword.created_at > now - window).count()
        if issued >= cap:
            log.warning("reset code refused: account cap reached", extra={"user_id": user.id})
            return "capped"
    code = "".join(secrets.choice("0123456789") for _ in range(RESET_DIGITS))
    with database.atomic():
        row = ResetPassword.create(cliente=user, token="-", valid_until=now + timedelta(seconds=RESET_TTL_SECONDS),
                                   requested_by_remote_ip=remote_ip, created_at=now)
        ResetPassword.update(token=_code_digest(row.id, code)).where(ResetPassword.id == row.id).execute()
    body = (f"Olá,\n\nRecebemos um pedido para trocar a senha da sua conta no PenhaS.\n\n"
            f"Seu código: {code}\n\nEle vale por 1 hora e pode ser usado uma única vez. "
            f"Se não foi você quem pediu, ignore esta mensagem: sua senha continua a mesma.\n")
    try:
        send_mail(user.email, "PenhaS - Recuperação de senha", body, cliente_id=user.id, sensitive=True)
    except (OSError, smtplib.SMTPException):
        # Without the e-mail the code is useless; drop it so the next request sends a fresh one at once.
        ResetPassword.delete().where(ResetPassword.id == row.id).execute()
        log.warning("reset e-mail not sent", extra={"user_id": user.id})
        return "mail_failed"
    return "sent"


def invalid_reset_token() -> PenhasError:
    return PenhasError("invalid_token", "Número não confere.", 400, field="token", reason="invalid")


def write_new_password(email: str, token: str, dry: bool, senha: str | None, remote_ip: str) -> dict:
    """Check the code (``dry``) or set the new password, use the code up and end every session."""
    if not dry:
        # Before the code is looked at, so a weak password does not spend one of her attempts.
        check_strength(senha)
    user = Cliente.get_or_none(Cliente.email == normalize_email(email))
    if user is None:
        raise invalid_reset_token()
    row = _live_reset(user)
    if row is None:
        raise invalid_reset_token()
    if not hmac.compare_digest(row.token, _code_digest(row.id, token)):
        # Counted atomically so parallel guesses cannot exceed the limit; at the limit the code is dead.
        ResetPassword.update(attempts=ResetPassword.attempts + 1).where(ResetPassword.id == row.id).execute()
        raise invalid_reset_token()
    if dry:
        return {"continue": 1}
    same, _ = verify_password(senha, user.senha_hash)
    if same:
        raise PenhasError("pass_same_as_before",
                          "A nova senha não pode ser igual à anterior, use uma senha diferente.", 400,
                          field="senha", reason="invalid")
    now = clock.now()
    with database.atomic():
        used = (ResetPassword.update(used_at=now, used_by_remote_ip=remote_ip)
                .where(ResetPassword.id == row.id, ResetPassword.used_at.is_null()).execute())
        if not used:  # a parallel request used it first
            raise invalid_reset_token()
        Cliente.update(senha_hash=hash_password(senha)).where(Cliente.id == user.id).execute()
        revoke_sessions(user.id)
    return {"success": 1}


# ---------------------------------------------------------------------------------------------------- deletion

def _meta_entry(previous, **event) -> dict:
    return {"epoch": int(clock.now().timestamp()), **event, "previous": previous}


def _notify_by_mail(user: Cliente, subject: str, body: str) -> None:
    # An account change must not fail because the mail server is down; the change itself is what matters.
    try:
        send_mail(user.email, subject, body, cliente_id=user.id)
    except (OSError, smtplib.SMTPException):
        log.warning("account e-mail not sent", extra={"user_id": user.id})


def check_current_password(user: Cliente, senha_atual: str) -> None:
    ok, _ = verify_password(senha_atual, user.senha_hash)
    if not ok:
        raise current_password_mismatch()


def schedule_deletion(user: Cliente, when: datetime, app_version: str | None = None, by: str = "user") -> Cliente:
    """Mark the account for deletion at ``when`` and end its sessions; /reactivate undoes it until then."""
    meta = _meta_entry(user.deleted_scheduled_meta, app_version=app_version, delete=1, by=by)
    with database.atomic():
        Cliente.update(status="deleted_scheduled", perform_delete_at=when, deletion_started_at=None,
                       deleted_scheduled_meta=meta).where(Cliente.id == user.id).execute()
        revoke_sessions(user.id)
    user = Cliente.get_by_id(user.id)
    if by == "user":
        _notify_by_mail(user, "PenhaS - Remoção de conta",
                        f"Olá,\n\nRecebemos o pedido de exclusão da sua conta no PenhaS. O seu perfil está desativado "
                        f"e os seus dados serão apagados em {when:%d/%m/%Y}.\n\nSe mudar de ideia, entre no "
                        f"aplicativo antes dessa data e reative o perfil.\n")
    return user


def delete_me(user: Cliente, senha_atual: str, app_version: str | None) -> Cliente:
    check_current_password(user, senha_atual)
    return schedule_deletion(user, clock.now() + timedelta(days=DELETE_GRACE_DAYS), app_version)


def reactivate(user: Cliente, app_version: str | None) -> Cliente:
    if user.status != "deleted_scheduled" or user.login_status != "OK" or user.deletion_started_at is not None:
        raise not_found()
    meta = _meta_entry(user.deleted_scheduled_meta, app_version=app_version, reactivate=1)
    updated = (Cliente.update(status="active", perform_delete_at=None, deleted_scheduled_meta=meta)
               .where(Cliente.id == user.id, Cliente.status == "deleted_scheduled",
                      Cliente.deletion_started_at.is_null()).execute())
    if not updated:  # the housekeeping job started erasing her in between
        raise not_found()
    user = Cliente.get_by_id(user.id)
    _notify_by_mail(user, "PenhaS - Reativação de conta",
                    "Olá,\n\nSeu perfil no PenhaS foi reativado e a exclusão da conta foi cancelada.\n")
    return user


def start_due_deletions() -> list[int]:
    """Claim accounts whose grace period is over (and deletions that stalled); returns their ids."""
    now = clock.now()
    due = (Cliente.select(Cliente.id)
           .where(Cliente.status == "deleted_scheduled", Cliente.perform_delete_at <= now,
                  Cliente.deletion_started_at.is_null()
                  | (Cliente.deletion_started_at < now - DELETION_RETRY_AFTER)))
    claimed = []
    for row in due:
        # Conditional update: when two schedulers race, only one claims each account.
        updated = (Cliente.update(deletion_started_at=now)
                   .where(Cliente.id == row.id, Cliente.status == "deleted_scheduled",
                          Cliente.deletion_started_at.is_null()
                          | (Cliente.deletion_started_at < now - DELETION_RETRY_AFTER)).execute())
        if updated:
            claimed.append(row.id)
    return claimed


def _delete_notifications_only_for(cliente_id: int) -> int:
    """Messages whose one recipient is her: the cascade removes her log rows, not the message (its text is about
    her and nobody else will ever read it)."""
    others = NotificationLog.select().where((NotificationLog.message == NotificationMessage.id)
                                            & (NotificationLog.cliente != cliente_id))
    hers = NotificationLog.select(NotificationLog.message).where(NotificationLog.cliente == cliente_id)
    return NotificationMessage.delete().where(NotificationMessage.id.in_(hers) & ~fn.EXISTS(others)).execute()


def erase_user(cliente_id: int, reason: str) -> bool:
    """Delete every trace of the user: outside data through the erasers, then her row (rows that reference it
    go by cascade), leaving a tombstone without personal data. Idempotent: False when she is already gone."""
    user = Cliente.get_or_none(Cliente.id == cliente_id)
    if user is None:
        return False
    if reason == "scheduled" and user.status != "deleted_scheduled":
        return False  # reactivated or unscheduled after the job was queued
    run_erasers(cliente_id)
    tombstone = {
        "requested_at_epoch": (user.deleted_scheduled_meta or {}).get("epoch"),
        "scheduled_for": user.perform_delete_at.isoformat() if user.perform_delete_at else None,
    }
    with database.atomic():
        # Messages she caused stay with their recipients, but no longer point at her.
        NotificationMessage.update(subject_id=0).where(NotificationMessage.subject_id == cliente_id).execute()
        _delete_notifications_only_for(cliente_id)
        # Keyed by her CPF digest, not her id, so no cascade reaches them: the registry's answer about her CPF
        # (birth date, name digest) and the sign-up error counters for it.
        CpfCache.delete().where(CpfCache.cpf_hashed == user.cpf_hash).execute()
        CpfErro.delete().where(CpfErro.cpf_hash == user.cpf_hash).execute()
        Cliente.delete().where(Cliente.id == cliente_id).execute()
        DeleteLog.create(created_at=clock.now(), cliente_id=cliente_id, reason=reason, data=tombstone)
    log.info("user erased", extra={"user_id": cliente_id})
    return True


# ---------------------------------------------------------------------------------------------------- operator

# Ids are BIGINT: a larger number names nobody (and the database driver would refuse to bind it).
MAX_ID = 2 ** 63 - 1


def _operator_target(cliente_id: int) -> Cliente:
    user = Cliente.get_or_none(Cliente.id == cliente_id) if 0 < cliente_id <= MAX_ID else None
    if user is None:
        raise PenhasError("user_not_found", f"user {cliente_id} not found", 404)
    return user


def find_users(term: str, limit: int = 50, actor: str | None = None) -> list[Cliente]:
    """By id, e-mail or apelido (never legal name or CPF: operators must not be able to look a woman up by them).

    Looking people up is an operator action too: audited with the kind of term and the ids found, never the term
    (it may be her e-mail)."""
    term = term.strip()
    if not term:
        found, kind = [], "empty"
    elif re.fullmatch(r"[0-9]+", term):  # ASCII only: str.isdigit() also takes "١٢", which int() reads as 12
        found = list(Cliente.select().where(Cliente.id == int(term))) if int(term) <= MAX_ID else []
        kind = "id"
    elif "@" in term:
        found, kind = list(Cliente.select().where(Cliente.email == normalize_email(term))), "email"
    else:
        found = list(Cliente.select().where(Cliente.apelido.contains(term)).order_by(Cliente.id).limit(limit))
        kind = "apelido"
    audit("users.find", "cliente", None, actor=actor, by=kind, ids=[u.id for u in found])
    return found


def get_user(cliente_id: int, actor: str | None = None) -> Cliente:
    """One account for an operator's eyes (audited, like every look at her data)."""
    user = _operator_target(cliente_id)
    audit("users.show", "cliente", cliente_id, actor=actor)
    return user


def operator_schedule_delete(cliente_id: int, day: date, actor: str | None = None) -> Cliente:
    user = _operator_target(cliente_id)
    if user.status not in ("active", "deleted_scheduled", "banned"):
        raise PenhasError("invalid_status", f"cannot schedule the deletion of an account with status {user.status}")
    when = datetime.combine(day, datetime.min.time()).replace(hour=12)
    if when <= clock.now():
        # A past date would erase her at the next housekeeping minute: a typo must not do what delete-now --yes does.
        raise PenhasError("invalid_date", f"{day.isoformat()} 12:00 UTC is in the past: choose a future date "
                                          "(to erase now, use `penhas users delete-now`)")
    user = schedule_deletion(user, when, by="operator")
    audit("users.schedule_delete", "cliente", cliente_id, actor=actor, date=day.isoformat())
    return user


def operator_unschedule_delete(cliente_id: int, actor: str | None = None) -> Cliente:
    user = _operator_target(cliente_id)
    if user.status != "deleted_scheduled" or user.deletion_started_at is not None:
        raise PenhasError("not_scheduled", "the account is not scheduled for deletion")
    Cliente.update(status="active", perform_delete_at=None,
                   deleted_scheduled_meta=_meta_entry(user.deleted_scheduled_meta, unschedule=1, by="operator")
                   ).where(Cliente.id == cliente_id).execute()
    audit("users.unschedule_delete", "cliente", cliente_id, actor=actor)
    return Cliente.get_by_id(cliente_id)


def operator_delete_now(cliente_id: int, actor: str | None = None) -> None:
    _operator_target(cliente_id)
    erase_user(cliente_id, reason="operator")
    audit("users.delete_now", "cliente", cliente_id, actor=actor)


def operator_set_status(cliente_id: int, status: str, actor: str | None = None) -> Cliente:
    """Ban (status banned, sessions ended) or unban (back to active)."""
    user = _operator_target(cliente_id)
    if status == "banned":
        if user.status != "active":
            raise PenhasError("invalid_status", f"only active accounts can be banned (this one is {user.status})")
        with database.atomic():
            Cliente.update(status="banned").where(Cliente.id == cliente_id).execute()
            revoke_sessions(cliente_id)
        audit("users.ban", "cliente", cliente_id, actor=actor)
    else:
        if user.status != "banned":
            raise PenhasError("invalid_status", "the account is not banned")
        Cliente.update(status="active").where(Cliente.id == cliente_id).execute()
        audit("users.unban", "cliente", cliente_id, actor=actor)
    return Cliente.get_by_id(cliente_id)


def operator_set_login_lock(cliente_id: int, locked: bool, actor: str | None = None) -> Cliente:
    """Lock login for good (BLOCK, sessions ended) or unlock (also clears a temporary lockout)."""
    _operator_target(cliente_id)
    if locked:
        with database.atomic():
            Cliente.update(login_status="BLOCK", login_status_last_blocked_at=clock.now()
                           ).where(Cliente.id == cliente_id).execute()
            revoke_sessions(cliente_id)
        audit("users.lock", "cliente", cliente_id, actor=actor)
    else:
        Cliente.update(login_status="OK", login_status_last_blocked_at=None).where(Cliente.id == cliente_id).execute()
        audit("users.unlock", "cliente", cliente_id, actor=actor)
    return Cliente.get_by_id(cliente_id)


def operator_revoke_sessions(cliente_id: int, actor: str | None = None) -> int:
    _operator_target(cliente_id)
    count = revoke_sessions(cliente_id)
    audit("users.sessions_revoke", "cliente", cliente_id, actor=actor, sessions=count)
    return count


def operator_list_sessions(cliente_id: int, actor: str | None = None) -> list[ClienteSession]:
    """Her open sessions, newest first: when each started, when it was last used (to within five minutes) and
    the device's user agent. Audited like every look at an account."""
    _operator_target(cliente_id)
    sessions = list(ClienteSession.select().where(ClienteSession.cliente == cliente_id,
                                                  ClienteSession.expires_at > clock.now())
                    .order_by(ClienteSession.created_at.desc(), ClienteSession.id.desc()))
    audit("users.sessions_list", "cliente", cliente_id, actor=actor, sessions=len(sessions))
    return sessions


def active_session_count(cliente_id: int) -> int:
    return ClienteSession.select().where(ClienteSession.cliente == cliente_id,
                                         ClienteSession.expires_at > clock.now()).count()
