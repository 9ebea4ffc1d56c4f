"""Guardians and the panic alert (backend-rules §4, mobile-contract §2.10).

A user invites people she trusts by SMS; each accepts or refuses on a web page reached by a token in the SMS link.
A panic alert is recorded first, then limited per user, then fanned out as one SMS per accepted guardian on the
alert priority, ahead of any bulk work.
"""
import base64
import contextlib
import hashlib
import hmac
import os
import re
import unicodedata
from datetime import timedelta
from zoneinfo import ZoneInfo

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.queue import PRIORITY_ALERT, PRIORITY_DEFAULT
from penhas_api.core.db import database, is_postgres
from penhas_api.core.errors import PenhasError, item_not_found
from penhas_api.core.models import Cliente, FaqGuardian, Guardian, PanicAlert, PoliceCall, SentSms
from penhas_api.core.services import sms
from penhas_api.core.ids import parse_id
from penhas_api.core.services.phones import parse_mobile
from penhas_api.core.settings import get_settings

INVITE_DAYS = 30
REFUSED_BLOCK_DAYS = 7
REACTIVATE_WITHIN = timedelta(days=1)
COUNTED_STATUSES = ("pending", "accepted", "expired_for_not_use", "refused")
HUMAN_TZ = ZoneInfo("America/Sao_Paulo")
# Invitations SENT in a rolling window, deleted ones included: inviting, deleting and inviting another number
# must not turn one account into an SMS cannon (cost, and harassment of the numbers invited).
INVITES_PER_HOUR = 5
INVITES_PER_DAY = 10
SAME_LINK = "O seu guardião pode aceitar o seu convite utilizando o mesmo link que foi enviado anteriormente."

# ---------------------------------------------------------------------------------------------------------------
# Tokens: random part + HMAC(server secret) so a guessed or altered token is refused before any database lookup.
TOKEN_RANDOM_LEN = 10
TOKEN_MAC_LEN = 6
_TOKEN_RE = re.compile(r"[A-Z2-7]{%d}" % (TOKEN_RANDOM_LEN + TOKEN_MAC_LEN))


def _token_mac(random_part: str) -> str:
    digest = hmac.new(get_settings().secret_key.encode(), f"guardian-token:{random_part}".encode(),
                      hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:TOKEN_MAC_LEN]


def new_token() -> str:
    random_part = base64.b32encode(os.urandom(10)).decode()[:TOKEN_RANDOM_LEN]
    return random_part + _token_mac(random_part)


def check_token(token: str | None) -> str:
    value = (token or "").strip().upper()
    if not _TOKEN_RE.fullmatch(value):
        raise PenhasError("token_invalid_format",
                          "O código informado não é válido. Confira novamente o link recebido no SMS.",
                          field="token", reason="invalid")
    if not hmac.compare_digest(value[TOKEN_RANDOM_LEN:], _token_mac(value[:TOKEN_RANDOM_LEN])):
        raise PenhasError("token_invalid_hash", "Assinatura do código não confere.", field="token", reason="invalid")
    return value


# ---------------------------------------------------------------------------------------------------------------
# Texts


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def invite_sms_text(inviter_name: str, token: str) -> str:
    prefix = "PenhaS: "
    suffix = " convidou vc ser guardiao dela. p/ aceitar e mais informacoes acesse " + \
        get_settings().sms_guard_link + token
    room = 150 - len(prefix + suffix)
    if room < 0:
        room += 140
    return prefix + unaccent(inviter_name)[:room].rstrip() + suffix


def _coordinate(value: str) -> str:
    return f"{round(float(value), 5):.5f}".rstrip("0").rstrip(".")


def alert_sms_text(user_name: str, lat: str | None, lng: str | None) -> str:
    text = "PenhaS: " + unaccent(user_name)[:28].rstrip() + " adicionou um pedido de socorro. Entre em contato. "
    if lat is not None and lng is not None:
        return text + f"Veja sua localizacao no mapa maps.google.com/maps?q={_coordinate(lat)}%2C{_coordinate(lng)}"
    return text + "A localizacao nao foi recebida."


def _human_date(value, fmt: str) -> str:
    from datetime import timezone

    return value.replace(tzinfo=timezone.utc).astimezone(HUMAN_TZ).strftime(fmt)


def _iso(value):
    return value.replace(microsecond=0).isoformat() if value else None


def guardian_data(g: Guardian) -> dict:
    return {
        "id": g.id,
        "nome": g.nome,
        "celular_formatted_as_national": g.celular_formatted_as_national,
        "is_accepted": int(g.status == "accepted"),
        "is_pending": int(g.status == "pending"),
        "is_expired": int(g.status == "expired_for_not_use"),
        "created_at": _iso(g.created_at),
        "expires_at": _iso(g.expires_at),
    }


# ---------------------------------------------------------------------------------------------------------------
# Bookkeeping


def _expire_query():
    return Guardian.update(status="expired_for_not_use").where(
        (Guardian.status == "pending") & Guardian.deleted_at.is_null() & (Guardian.expires_at <= clock.now()))


def expire_overdue(cliente_id: int, celular_e164: str | None = None) -> None:
    query = _expire_query().where(Guardian.cliente == cliente_id)
    if celular_e164:
        query = query.where(Guardian.celular_e164 == celular_e164)
    query.execute()


def expire_all_overdue() -> int:
    """Every account's overdue invites (housekeeping). Reads expire a user's own as they go; this keeps the
    status right for everyone else who looks (stats, segments, the guardian's link)."""
    return _expire_query().execute()


def recount_active(cliente_id: int) -> None:
    active = Guardian.select().where((Guardian.cliente == cliente_id) & (Guardian.status == "accepted")
                                     & Guardian.deleted_at.is_null()).count()
    Cliente.update(qtde_guardioes_ativos=active).where(Cliente.id == cliente_id).execute()


def _lock_user(cliente_id: int) -> None:
    # Serialises a user's invites (quota, duplicate numbers); SQLite already serialises writers.
    if is_postgres():
        database.execute_sql("SELECT id FROM clientes WHERE id = %s FOR UPDATE", (cliente_id,))


def _used_invites(cliente_id: int, exclude_expired_number: str | None = None) -> int:
    query = Guardian.select().where((Guardian.cliente == cliente_id) & Guardian.status.in_(COUNTED_STATUSES)
                                    & Guardian.deleted_at.is_null())
    if exclude_expired_number:
        # Resending an expired invite replaces it, so it must not count against the quota it frees.
        query = query.where(~((Guardian.status == "expired_for_not_use")
                              & (Guardian.celular_e164 == exclude_expired_number)))
    return query.count()


def _check_invite_window(cliente_id: int, now) -> None:
    for window, cap in ((timedelta(hours=1), INVITES_PER_HOUR), (timedelta(days=1), INVITES_PER_DAY)):
        sent = SentSms.select().where((SentSms.cliente == cliente_id) & (SentSms.kind == "invite")
                                      & (SentSms.created_at > now - window)).count()
        if sent >= cap:
            raise PenhasError("too_many_invites",
                              "Você enviou muitos convites recentemente. Aguarde algumas horas para convidar outro "
                              "guardião.")


def own_guardian(user: Cliente, guardian_id) -> Guardian:
    gid = parse_id(guardian_id)
    if gid is None:
        raise item_not_found()
    g = Guardian.get_or_none((Guardian.id == gid) & (Guardian.cliente == user.id) & Guardian.deleted_at.is_null())
    if g is None:
        raise item_not_found()
    return g


# ---------------------------------------------------------------------------------------------------------------
# Invite, list, edit, delete


def invite(user: Cliente, nome: str, celular: str) -> dict:
    s = get_settings()
    number = parse_mobile(celular, s.guards_allowed_country_codes)
    nat, now = number.national, clock.now()
    with database.atomic():
        _lock_user(user.id)
        expire_overdue(user.id, number.e164)
        if s.max_guards_invites - _used_invites(user.id, number.e164) <= 0:
            raise PenhasError("max_invites_reached",
                              "Vocẽ não pode adicionar mais guardiões. Excluía convites recusados e expirados.")
        rows = list(Guardian.select().where((Guardian.cliente == user.id) & (Guardian.celular_e164 == number.e164))
                    .order_by(Guardian.id.desc()))
        live = [g for g in rows if g.deleted_at is None]
        current = next((g for g in live if g.status in ("pending", "accepted")), None)
        if current is not None:
            message = (f"O número {nat} já é um guardião!" if current.status == "accepted" else
                       f"O número {nat} já tem um convite aguardando ativação. {SAME_LINK}")
            return {"title": "Número já existe!", "message": message, "data": guardian_data(current)}
        refused = next((g for g in rows if g.status in ("refused", "removed_by_user") and g.refused_at
                        and g.refused_at >= now - timedelta(days=REFUSED_BLOCK_DAYS)), None)
        if refused is not None:
            raise PenhasError(
                "recent_refused",
                f"O número {nat} recusou seu convite em {_human_date(refused.refused_at, '%d/%m/%Y')}. Você só "
                f"poderá convida-lo novamente após {REFUSED_BLOCK_DAYS} dias. {SAME_LINK}",
                field="celular", reason="invalid")
        removed = next((g for g in rows if g.status == "removed_by_user" and g.deleted_at
                        and g.deleted_at >= now - REACTIVATE_WITHIN), None)
        if removed is not None:
            # The original does not extend expires_at here: a reactivated invite keeps its first deadline.
            Guardian.update(nome=nome, status="pending", deleted_at=None,
                            estava_em_situacao_risco=user.modo_anonimo_ativo).where(
                Guardian.id == removed.id).execute()
            recount_active(user.id)
            return {"title": "Convite reativado",
                    "message": f"O convite para o número {nat} foi reativado! {SAME_LINK}",
                    "data": guardian_data(Guardian.get_by_id(removed.id))}
        _check_invite_window(user.id, now)
        # Old expired and refused rows of this number are retired so their links stop working (one live row per
        # number: a guardian is never alerted twice).
        Guardian.update(deleted_at=now).where(
            (Guardian.cliente == user.id) & (Guardian.celular_e164 == number.e164) & Guardian.deleted_at.is_null()
            & Guardian.status.in_(("expired_for_not_use", "refused"))).execute()
        g = Guardian.create(cliente=user.id, status="pending", celular_e164=number.e164, nome=nome,
                            token=new_token(), created_at=now, accepted_meta={},
                            celular_formatted_as_national=nat, expires_at=now + timedelta(days=INVITE_DAYS),
                            estava_em_situacao_risco=user.modo_anonimo_ativo)
        # With the invite in one transaction: an invite whose SMS was never recorded could not be sent again.
        row = sms.log_sms(number.e164, invite_sms_text(user.nome_completo, g.token), "invite", PRIORITY_DEFAULT,
                          cliente_id=user.id, guardiao_id=g.id, notes={"clientes_guardioes_id": g.id})
    # After the commit: a worker must find the guardian and log rows the moment it picks the task.
    sms.enqueue(row.id, PRIORITY_DEFAULT)
    return {"title": "Convite enviado!",
            "message": "Enviamos um SMS com um link para que o guardião aceite o seu convite.",
            "data": guardian_data(g)}


GROUPS = {
    # Accepted and pending texts as the app's golden fixtures; the others as the original (backend-rules §4.2).
    "accepted": {"can_edit": 1, "can_delete": 1, "can_resend": 0, "delete_warning": "",
                 "description": "Guardiões que recebem seus pedidos de socorro.", "header": "Guardiões",
                 "layout": "accepted"},
    "pending": {"can_edit": 1, "can_delete": 1, "can_resend": 0, "delete_warning": "",
                "description": "Guardiões que ainda não aceitaram seu convite.", "header": "Pendentes",
                "layout": "pending"},
    "expired_for_not_use": {
        "can_edit": 0, "can_delete": 1, "can_resend": 1, "delete_warning": "",
        "description": "Estes convites não estão mais válidos para uso. Use o botão 🔄 para renviar ou 🗑️ para "
                       "cancelar o convite definitivamente.",
        "header": "Convites expirados", "layout": "pending"},
    "refused": {
        "can_edit": 1, "can_delete": 1, "can_resend": 0,
        "delete_warning": "Após apagar um convite recusado, você não poderá convidar o mesmo número por até 7 dias.",
        "description": "Os convites recusados ainda podem serem aceitos usando o mesmo link. Use o botão 🗑 para "
                       "cancelar o convite.",
        "header": "Convites recusados", "layout": "pending"},
}
ALWAYS_SHOWN = ("accepted", "pending")


def _subtexto(g: Guardian, now) -> str:
    if g.status == "accepted":
        return f"Convite aceito em {_human_date(g.accepted_at or g.created_at, '%Y/%m/%d')}"
    if g.status == "expired_for_not_use":
        return f"Convite expirou em {_human_date(g.expires_at, '%Y/%m/%d')}"
    if g.status == "refused":
        return f"Convite recusado em {_human_date(g.refused_at, '%Y/%m/%d')}"
    if g.expires_at - now <= timedelta(hours=24):
        return "Convite próximo de expirar!"
    age = now - g.created_at
    if age <= timedelta(hours=1):
        return "Convite enviado há pouco tempo"
    if age <= timedelta(hours=24):
        return f"Convite enviado há {int(age.total_seconds() // 3600)} horas."
    return f"Convite enviado há {age.days} dias."


def list_guardians(user: Cliente) -> dict:
    """The app's guardian screen. A user has at most MAX_GUARDS_INVITES live rows, so it needs no paging."""
    expire_overdue(user.id)
    now = clock.now()
    rows = (Guardian.select().where((Guardian.cliente == user.id) & Guardian.deleted_at.is_null()
                                    & Guardian.status.in_(tuple(GROUPS)))
            .order_by(Guardian.created_at.desc(), Guardian.id.desc()))
    grouped: dict[str, list] = {status: [] for status in GROUPS}
    for g in rows:
        grouped[g.status].append({"id": g.id, "nome": g.nome, "celular": g.celular_formatted_as_national,
                                  "subtexto": _subtexto(g, now)})
    limit = get_settings().max_guards_invites
    return {
        "remaing_invites": max(0, limit - _used_invites(user.id)),
        "invites_max": limit,
        "guards": [{"meta": dict(GROUPS[status]), "rows": grouped[status]} for status in GROUPS
                   if grouped[status] or status in ALWAYS_SHOWN],
    }


def edit(user: Cliente, guardian_id, nome: str) -> dict:
    g = own_guardian(user, guardian_id)
    Guardian.update(nome=nome).where(Guardian.id == g.id).execute()
    g.nome = nome
    return {"message": "Editado com sucesso!", "data": guardian_data(g)}


def delete(user: Cliente, guardian_id) -> dict:
    g = own_guardian(user, guardian_id)
    Guardian.update(status="removed_by_user", deleted_at=clock.now()).where(Guardian.id == g.id).execute()
    recount_active(user.id)
    return {}


# ---------------------------------------------------------------------------------------------------------------
# The guardian's page


def guardian_by_token(token: str | None) -> Guardian:
    value = check_token(token)
    g = Guardian.get_or_none((Guardian.token == value) & Guardian.deleted_at.is_null()
                             & Guardian.status.in_(tuple(GROUPS)))
    if g is None:
        raise item_not_found()
    expire_overdue(g.cliente_id)
    return Guardian.get_by_id(g.id)


def page_data(g: Guardian) -> dict:
    """What the guardian may see: her own invite and only the inviter's apelido."""
    apelido = Cliente.select(Cliente.apelido).where(Cliente.id == g.cliente_id).scalar()
    return {
        "guardiao": {
            "celular": g.celular_formatted_as_national,
            "is_accepted": int(g.status == "accepted"),
            "is_pending": int(g.status == "pending"),
            "is_expired": int(g.status == "expired_for_not_use"),
            "nome": g.nome,
            "refused_at": _iso(g.refused_at),
            "created_at": _iso(g.created_at),
            "accepted_at": _iso(g.accepted_at),
        },
        "cliente": {"apelido": apelido},
    }


def guardian_action(token: str | None, action: str | None, ip: str | None) -> Guardian:
    g = guardian_by_token(token)
    if action not in ("accept", "refuse"):
        raise PenhasError("action_invalid", "action não reconhecido", field="action", reason="invalid")
    if g.status == "expired_for_not_use":
        raise PenhasError("guard_invite_expired", "Este convite já expirou!")
    now, meta = clock.now(), dict(g.accepted_meta or {})
    risk = Cliente.select(Cliente.modo_anonimo_ativo).where(Cliente.id == g.cliente_id).scalar()
    if action == "accept" and g.status != "accepted":
        meta.update(ip=ip, old_refused_at=_iso(g.refused_at))
        Guardian.update(status="accepted", accepted_at=now, refused_at=None, accepted_meta=meta,
                        estava_em_situacao_risco=bool(risk)).where(Guardian.id == g.id).execute()
    elif action == "refuse" and g.status != "refused":
        meta.update(refused_ip=ip, old_accepted_at=_iso(g.accepted_at))
        Guardian.update(status="refused", refused_at=now, accepted_at=None, accepted_meta=meta,
                        estava_em_situacao_risco=bool(risk)).where(Guardian.id == g.id).execute()
    recount_active(g.cliente_id)
    return Guardian.get_by_id(g.id)


def faq() -> list[FaqGuardian]:
    return list(FaqGuardian.select().where(FaqGuardian.status == "published")
                .order_by(FaqGuardian.sort, FaqGuardian.id))


# ---------------------------------------------------------------------------------------------------------------
# Panic alert and police button

GPS_RE = re.compile(r"-?\d{1,3}(\.\d{1,17})?", re.ASCII)
GPS_RE_TEXT = r"(?^a:^-?\d{1,3}(?:\.\d{1,17})?$)"


def _check_gps(field: str, value: str | None) -> None:
    if value is not None and not GPS_RE.fullmatch(value):
        raise PenhasError("gps_position_invalid", f"{field} não passa na regexp: {GPS_RE_TEXT}", field=field,
                          reason="invalid")


def alert(user: Cliente, gps_lat: str | None = None, gps_long: str | None = None, ip: str | None = None) -> dict:
    """Record the press, apply the limits, then queue one SMS per accepted guardian on the alert priority."""
    _check_gps("gps_lat", gps_lat)
    _check_gps("gps_long", gps_long)
    lat, lng = gps_lat, gps_long
    if lat is None or lng is None or (abs(float(lat)) <= 0.01 and abs(float(lng)) <= 0.01):
        lat = lng = None  # "0.0" is how the app says it has no location
    s, now = get_settings(), clock.now()
    record = PanicAlert.create(cliente=user.id, created_at=now, status="accepted", gps_lat=lat, gps_long=lng,
                               meta={"ip": ip}, alert_sent_to={}, estava_em_situacao_risco=user.modo_anonimo_ativo)
    for window, limit, message in (
            (timedelta(minutes=1), s.max_guard_alert_per_minute, "Os alertas já foram enviados no último minuto!"),
            (timedelta(hours=24), s.max_guard_alert_per_24h, "Você atingiu o limite de alertas no período de 24h.")):
        # Only presses recorded before this one count: of two simultaneous presses (a double tap) the first is
        # always sent, where counting every other row would let each refuse the other and send nothing.
        previous = PanicAlert.select().where(
            (PanicAlert.cliente == user.id) & (PanicAlert.status == "accepted") & (PanicAlert.id < record.id)
            & (PanicAlert.created_at > now - window)).count()
        if previous >= limit:
            PanicAlert.update(status="too_many_alerts").where(PanicAlert.id == record.id).execute()
            raise PenhasError("too_many_alerts", message)

    guardians = list(Guardian.select().where((Guardian.cliente == user.id) & Guardian.deleted_at.is_null())
                     .order_by(Guardian.id))
    recipients, seen = [], set()
    for g in guardians:
        if g.status == "accepted" and g.celular_e164 not in seen:
            seen.add(g.celular_e164)
            recipients.append(g)
    counts: dict[str, int] = {}
    for g in guardians:
        counts[g.status] = counts.get(g.status, 0) + 1
    text = alert_sms_text(user.nome_completo, lat, lng)
    try:
        # All of the alert's SMS rows or none: once committed, every one is sent (the queue, or the stale sweep
        # if the queue loses its task); if this fails, nothing half-sent hides behind an "accepted" alert.
        with database.atomic():
            rows = [sms.log_sms(g.celular_e164, text, "alert", PRIORITY_ALERT, cliente_id=user.id,
                                guardiao_id=g.id, alert_id=record.id, notes={"alert_id": record.id})
                    for g in recipients]
            PanicAlert.update(
                sms_enviados=len(recipients),
                alert_sent_to={"celulares": [{"id": g.id, "celular_e164": g.celular_e164} for g in recipients],
                               "guardioes": [{"status": k, "qtde": v} for k, v in sorted(counts.items())]},
            ).where(PanicAlert.id == record.id).execute()
    except Exception:
        # So that pressing again is not refused by the per-minute limit for an alert that never went out.
        with contextlib.suppress(Exception):
            PanicAlert.update(status="failed").where(PanicAlert.id == record.id).execute()
        raise
    for row in rows:
        sms.enqueue(row.id, PRIORITY_ALERT)

    n = len(recipients)
    where = "com localização " if lat is not None else "SEM LOCALIZAÇÃO "
    if n == 0:
        return {"title": "Atenção ❗", "message": "Não há guardiões cadastrados! Nenhum alerta foi enviado."}
    if n == 1:
        return {"title": "Alerta enviado!", "message": f"Alerta {where}disparado com sucesso para 1 guardião."}
    return {"title": f"{n} alertas enviados!", "message": f"Alerta {where} disparado com sucesso para {n} guardiões."}


def police_pressed(user: Cliente) -> dict:
    PoliceCall.create(cliente=user.id, created_at=clock.now(), estava_em_situacao_risco=user.modo_anonimo_ativo)
    Cliente.update(qtde_ligar_para_policia=Cliente.qtde_ligar_para_policia + 1).where(Cliente.id == user.id).execute()
    return {}


# ---------------------------------------------------------------------------------------------------------------
# Operator views


def alerts_of(cliente_id: int, limit: int = 20, before_id: int | None = None, show_numbers: bool = False,
              actor: str | None = None) -> list[dict]:
    """Operator view of a user's alerts, newest first, each with the delivery state of the SMS to every guardian
    (audited, with whether the full numbers were shown)."""
    query = PanicAlert.select().where(PanicAlert.cliente == cliente_id)
    if before_id is not None:
        query = query.where(PanicAlert.id < before_id)
    out = []
    for a in query.order_by(PanicAlert.id.desc()).limit(limit):
        sends = list(SentSms.select().where(SentSms.alert == a.id).order_by(SentSms.id))
        names = dict(Guardian.select(Guardian.id, Guardian.nome)
                     .where(Guardian.id.in_([r.guardiao_id for r in sends])).tuples()) if sends else {}
        out.append({"alert": a, "deliveries": [
            {"guardiao_id": r.guardiao_id, "nome": names.get(r.guardiao_id),
             "phonenumber": r.phonenumber, "status": r.status, "attempts": r.attempts, "sent_at": r.sent_at,
             "sns_message_id": r.sns_message_id, "last_error": r.last_error} for r in sends]})
    audit("guardians.alerts", "cliente", cliente_id, actor=actor, show_numbers=show_numbers)
    return out


def guardians_of(cliente_id: int, show_numbers: bool = False, actor: str | None = None) -> list[Guardian]:
    """Operator view of every guardian row of a user (audited, with whether the full numbers were shown)."""
    if Cliente.get_or_none(Cliente.id == cliente_id) is None:
        raise PenhasError("item_not_found", f"user {cliente_id} not found", 404)
    expire_overdue(cliente_id)
    rows = list(Guardian.select().where(Guardian.cliente == cliente_id).order_by(Guardian.id))
    audit("guardians.list", "cliente", cliente_id, actor=actor, show_numbers=show_numbers)
    return rows
