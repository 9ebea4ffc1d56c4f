"""People: activity labels, badges as others see them, the timeline block list, search and profiles, profile
reports (backend-rules §2.3, §7.4 badges, §8.2 search-users and profile).

Search matches the apelido only, never the legal name (§15 item 11): a survivor's full name must not find her.
"""
from datetime import datetime, timedelta

import peewee as pw

from penhas_api.core import clock, cursors
from penhas_api.core.adapters.mail import send_mail
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError, form_error
from penhas_api.core.models import Badge, Cliente, ClienteSkill, ClienteTag, ProfileReport, Skill, TimelineBlock
from penhas_api.core.services import notifications
from penhas_api.core.settings import get_settings

FEMALE = ("Feminino", "MulherTrans")
SEARCH_PURPOSE = "U:NP"
GEO_CITY = "GEO:CITY"
REPORT_RECEIVED = "Sua denúncia foi recebida com sucesso."


def _avatar(user: Cliente) -> str:
    return user.avatar_url or f"{get_settings().public_url}/avatar/padrao.svg"


def activity_label(last_activity_dt: datetime | None) -> str:
    """How recently she used the app, in the app's words (§8.2); never the timestamp itself."""
    if last_activity_dt is None:
        return "há muito tempo"
    elapsed = clock.now() - last_activity_dt
    if elapsed < timedelta(minutes=5):
        return "online"
    days = elapsed.days
    if days == 0:
        return "há pouco tempo"
    if days <= 3:
        return "há poucos dias"
    if days <= 7:
        return "há alguns dias"
    if days <= 14:
        return "há algumas semanas"
    return "há muito tempo"


# ------------------------------------------------------------------------------------------------------- blocks

def timeline_blocked_ids(cliente_id: int) -> set[int]:
    """The users she blocked: their non-anonymous posts, comments and notifications are hidden from her."""
    return {row.blocked_id for row in TimelineBlock.select(TimelineBlock.blocked).where(TimelineBlock.cliente == cliente_id)}


def _blocked_between(a: int, b: int) -> bool:
    return TimelineBlock.select().where(
        ((TimelineBlock.cliente == a) & (TimelineBlock.blocked == b))
        | ((TimelineBlock.cliente == b) & (TimelineBlock.blocked == a))).exists()


def block_profile(viewer: Cliente, cliente_id: int, remove: bool = False) -> dict:
    if not Cliente.select().where(Cliente.id == cliente_id).exists():
        raise PenhasError("cliente_id_not_found", "Não foi possível encontrar a usuária.")
    if remove:
        TimelineBlock.delete().where(TimelineBlock.cliente == viewer.id, TimelineBlock.blocked == cliente_id).execute()
        return {"message": "A usuária foi desbloqueada com sucesso."}
    if cliente_id == viewer.id:
        raise PenhasError("cliente_id_invalid", "Não é possível bloquear o seu próprio perfil.")
    # The unique (cliente_id, block_cliente_id) index makes a double tap (or two devices) one row.
    with database.atomic():
        (TimelineBlock.insert(cliente=viewer.id, blocked=cliente_id, created_at=clock.now())
         .on_conflict_ignore().execute())
        notifications.forget_from(viewer.id, cliente_id)
    return {"message": "A usuária foi bloqueada com sucesso."}


# ------------------------------------------------------------------------------------------------------- badges

def render_badge(badge: Badge, style: str = "inline") -> dict:
    return {"code": badge.code, "name": badge.name, "description": badge.description, "image_url": badge.image_url,
            "image_url_black": badge.image_url_black, "popup": 1, "show_description": 1, "style": style}


def _geo_badge(description: str, popup: int, style: str) -> dict:
    settings = get_settings()
    return {"code": GEO_CITY, "name": "Usuária da sua região", "description": description,
            "image_url": settings.badge_icon_url, "image_url_black": settings.badge_icon_url_black,
            "popup": popup, "show_description": popup, "style": style}


def _active_tags(cliente_ids) -> dict[int, list[Badge]]:
    out: dict[int, list[Badge]] = {}
    if not cliente_ids:
        return out
    query = (ClienteTag.select(ClienteTag.cliente, Badge).join(Badge)
             .where(ClienteTag.cliente.in_(list(cliente_ids)), ClienteTag.valid_until > clock.now())
             .order_by(ClienteTag.id))
    for tag in query:
        out.setdefault(tag.cliente_id, []).append(tag.badge)
    return out


def badges_for(cliente_ids, viewer: Cliente | None = None, *, context: str = "profile",
               users: dict[int, Cliente] | None = None) -> dict[int, list[dict]]:
    """Each user's badges as ``viewer`` sees them (§7.4): her active badges, then the synthetic GEO:CITY badge
    when viewer and author share a badge's city. Anonymous users show none. ``context`` is ``"tweet"`` (the
    location badge is drawn on its own line, without popup) or ``"profile"`` (profile and chat cards).
    Two queries whatever the number of users; one when the caller already holds the users (``users``, with
    ``modo_anonimo_ativo`` and ``cep_cidade`` loaded)."""
    ids = {int(i) for i in cliente_ids if i}
    if not ids:
        return {}
    if users is None or not ids <= set(users):
        users = {u.id: u for u in Cliente.select(Cliente.id, Cliente.modo_anonimo_ativo, Cliente.cep_cidade)
                 .where(Cliente.id.in_(list(ids)))}
    # The viewer's badges come in the same query as the authors'.
    tags = _active_tags(ids | ({viewer.id} if viewer is not None else set()))
    viewer_cities: set[str] = set()
    if viewer is not None:
        viewer_cities = {b.linked_cep_cidade for b in tags.get(viewer.id, []) if b.linked_cep_cidade}
    out: dict[int, list[dict]] = {}
    for cid in ids:
        user = users.get(cid)
        if user is None or user.modo_anonimo_ativo:
            out[cid] = []
            continue
        rendered: dict[str, dict] = {}
        for badge in tags.get(cid, []):
            rendered.setdefault(badge.code, render_badge(badge))
        if viewer is not None and viewer.id != cid and GEO_CITY not in rendered:
            geo = _location_badge(user, tags.get(cid, []), viewer, viewer_cities, context)
            if geo:
                rendered[GEO_CITY] = geo
        out[cid] = list(rendered.values())
    return out


def _location_badge(author: Cliente, author_badges: list[Badge], viewer: Cliente, viewer_cities: set[str],
                    context: str) -> dict | None:
    city = author.cep_cidade
    if not city:
        return None
    # (a) She holds a badge of her city, and the viewer lives there too.
    if viewer.cep_cidade == city and any(b.linked_cep_cidade == city for b in author_badges):
        if context == "tweet":
            return _geo_badge(f"Colaborada da cidade {city}", 0, "inline-block")
        return _geo_badge(f"Colaborada da cidade {city}", 1, "inline")
    # (b) The viewer holds a badge of the author's city and lives there (or has no city on file).
    if city in viewer_cities and (not viewer.cep_cidade or viewer.cep_cidade == city):
        return _geo_badge("Usuária da sua região", 0, "inline-block")
    return None


# ------------------------------------------------------------------------------------------- search and profile

def _visible_people():
    return Cliente.select().where(Cliente.status == "active", Cliente.genero.in_(FEMALE),
                                  Cliente.modo_anonimo_ativo == False)  # noqa: E712


def _skill_names(cliente_ids, only: set[int] | None = None) -> dict[int, str]:
    """'A, B' per user (names sorted), optionally only the skills in ``only``. One query."""
    names: dict[int, list[str]] = {}
    if cliente_ids:
        query = (ClienteSkill.select(ClienteSkill.cliente, Skill.skill).join(Skill)
                 .where(ClienteSkill.cliente.in_(list(cliente_ids))))
        if only:
            query = query.where(Skill.id.in_(list(only)))
        for row in query:
            names.setdefault(row.cliente_id, []).append(row.skill.skill)
    return {cid: ", ".join(sorted(v)) for cid, v in names.items()}


def search_users(viewer: Cliente, rows: int | None = None, skills: list[int] | None = None,
                 name: str | None = None, next_page: str | None = None) -> dict:
    """Women who use the app and are not anonymous, most recently active first (§8.2). Users she blocked, and
    users who blocked her, are left out of her results."""
    if rows is None or not 10 <= rows <= 100:
        rows = 10
    offset = 0
    if next_page:
        cursor = cursors.read(SEARCH_PURPOSE, next_page, field="next_page", owner=viewer.id)
        if not isinstance(cursor.get("o"), int) or cursor["o"] < 0:
            raise form_error("next_page", "invalid")
        offset = cursor["o"]
    blocked = (TimelineBlock.select(TimelineBlock.blocked).where(TimelineBlock.cliente == viewer.id))
    blockers = (TimelineBlock.select(TimelineBlock.cliente).where(TimelineBlock.blocked == viewer.id))
    query = _visible_people().where(Cliente.id != viewer.id, Cliente.last_activity_at.is_null(False),
                                    Cliente.id.not_in(blocked), Cliente.id.not_in(blockers))
    if name:
        prefix = name.lower()
        # SUBSTR instead of LIKE: no wildcard in her input can widen the match.
        query = query.where(pw.fn.SUBSTR(pw.fn.LOWER(Cliente.apelido), 1, len(prefix)) == prefix)
    if skills:
        query = query.where(Cliente.id.in_(ClienteSkill.select(ClienteSkill.cliente)
                                           .where(ClienteSkill.skill.in_(skills))))
    found = list(query.order_by(Cliente.last_activity_at.desc(), Cliente.id.desc()).offset(offset).limit(rows + 1))
    has_more = len(found) > rows
    found = found[:rows]
    ids = [u.id for u in found]
    skill_names = _skill_names(ids, set(skills) if skills else None)
    badges = badges_for(ids, viewer)
    return {
        "rows": [{"cliente_id": u.id, "apelido": u.apelido, "avatar_url": _avatar(u),
                  "activity": activity_label(u.last_activity_at), "skills": skill_names.get(u.id, ""),
                  "badges": badges.get(u.id, [])} for u in found],
        "has_more": 1 if has_more else 0,
        "next_page": cursors.issue(SEARCH_PURPOSE, {"o": offset + rows}, owner=viewer.id) if has_more else None,
    }


def profile_invalid():
    return PenhasError("cliente_id_invalid", "Não foi possível recuperar o perfil solicitado.", 404)


def get_profile(viewer: Cliente, cliente_id: int) -> dict:
    """Her public card. Anonymous, inactive and male accounts have none; nor has anyone who blocked the viewer."""
    target = _visible_people().where(Cliente.id == cliente_id).first()
    if target is None:
        raise profile_invalid()
    if target.id != viewer.id and TimelineBlock.select().where(
            TimelineBlock.cliente == target.id, TimelineBlock.blocked == viewer.id).exists():
        raise profile_invalid()
    return {
        "profile": {"cliente_id": target.id, "apelido": target.apelido, "avatar_url": _avatar(target),
                    "minibio": target.minibio or "", "skills": _skill_names([target.id]).get(target.id, ""),
                    "activity": activity_label(target.last_activity_at),
                    "badges": badges_for([target.id], viewer).get(target.id, [])},
        "is_myself": 1 if target.id == viewer.id else 0,
    }


def report_profile(viewer: Cliente, cliente_id: int, reason: str) -> dict:
    if cliente_id == viewer.id or not Cliente.select().where(Cliente.id == cliente_id).exists():
        raise PenhasError("cliente_id_not_found", "Não foi possível encontrar o usuário.")
    ProfileReport.create(cliente=viewer.id, reported=cliente_id, reason=reason, created_at=clock.now())
    to = get_settings().report_email
    if to:
        # Her id only (the operator looks her up): a legal name in a staff inbox is one more place it can leak.
        send_mail(to, "PenhaS - Usuária reportada",
                  f"Perfil {cliente_id} denunciado.\n\nMotivo: {reason}\n\nModeração: penhas users reports")
    return {"message": REPORT_RECEIVED}
