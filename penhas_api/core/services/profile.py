"""The user's own profile: GET/PUT /me, modes, counters, preferences and skills (backend-rules §2.3, §2.5)."""
from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.errors import form_error
from penhas_api.core.models import (
    Badge, Cliente, ClientePreference, ClienteSkill, ClienteTag, Configuracao, Preference, Skill,
)
from penhas_api.core.passwords import check_strength, hash_password
from penhas_api.core.prepared import Prepared
from penhas_api.core.services.accounts import (
    check_current_password, email_taken, normalize_email, revoke_sessions,
)
from penhas_api.core.services.modules import user_modules
from penhas_api.core.services.session_lookup import SESSION_USER
from penhas_api.core.settings import get_settings

# Meta values are strings: the app casts `modo_seguranca.numero` and the audio durations `as String`.
MODULE_META = {
    "chat_privado": {"polling_rate": "20"},
    "chat_suporte": {"polling_rate": "20"},
    "modo_seguranca": {"numero": "190", "audio_each_duration": "901", "audio_full_duration": "901"},
    # The app reads max_checkbox_contato as an int or a numeric string.
    "mf": {"max_checkbox_contato": 3},
    "tweets": {"max_length": "2200"},
}

DEFAULT_DELETE_TEXT = (
    "<p>O seu perfil será desativado por 30 dias, após este período seus dados serão completamente excluídos."
    "<br/></p><p>Caso entre novamente no aplicativo antes deste período, você ainda poderá reativar o perfil.<p>")


def avatar_url() -> str:
    return f"{get_settings().public_url}/avatar/padrao.svg"


def anonymous_avatar_url() -> str:
    return f"{get_settings().public_url}/avatar/anonimo.svg"


def _flag(value) -> int:
    return 1 if value else 0


def _active_tags(cliente, now):
    return (ClienteTag.select(ClienteTag, Badge).join(Badge)
            .where(ClienteTag.cliente == cliente, ClienteTag.valid_until > now).order_by(ClienteTag.id))


# Compiled once (core/prepared.py). GET /me first asks, inside its session query, whether she holds any badge at
# all (most women hold none), and fetches them only then.
_ACTIVE_TAGS = Prepared(lambda _variant, cliente, now: _active_tags(cliente, now),
                        cliente=ClienteTag.cliente, now=ClienteTag.valid_until)
_HOLDS_BADGES = Prepared(lambda _variant, now: _active_tags(SESSION_USER.id, now), now=ClienteTag.valid_until)


def holds_badges_check() -> tuple[str, list]:
    """The session query's subquery (session_lookup ``along``): does she hold an active badge?"""
    return _HOLDS_BADGES.bind(now=clock.now())


def active_badges(user: Cliente) -> list[Badge]:
    tags = _ACTIVE_TAGS(cliente=user.id, now=clock.now())
    # The same badge granted twice (renewed) is shown once.
    return list({tag.badge.id: tag.badge for tag in tags}.values())


def render_badge(badge: Badge, style: str = "inline") -> dict:
    return {"code": badge.code, "name": badge.name, "description": badge.description, "image_url": badge.image_url,
            "image_url_black": badge.image_url_black, "popup": 1, "show_description": 1, "style": style}


def me_payload(user: Cliente, holds_badges: bool = True) -> dict:
    """The app state of GET /me (and PUT /me), without the quiz (quiz.apply_to_me). ``holds_badges=False``: the
    session query already answered that she holds none (holds_badges_check)."""
    profile = {
        "avatar_url": user.avatar_url or avatar_url(),
        "ja_foi_vitima_de_violencia": _flag(user.ja_foi_vitima_de_violencia),
        "modo_camuflado_ativo": _flag(user.modo_camuflado_ativo),
        "modo_anonimo_ativo": _flag(user.modo_anonimo_ativo),
        "email": user.email,
        "apelido": user.apelido,
        "cep": user.cep,
        "dt_nasc": user.dt_nasc.isoformat(),
        "nome_completo": user.nome_completo,
        "genero": user.genero,
        "minibio": user.minibio,
        "raca": user.raca,
        "cpf_prefix": user.cpf_prefix,
        "nome_social": user.nome_social,
        "skills": list(user.skills_cached or []),
        # Anonymous mode hides her badges everywhere, her own profile included (as the original).
        "badges": [] if user.modo_anonimo_ativo or not holds_badges else [render_badge(b) for b in active_badges(user)],
    }
    body = {
        "user_profile": profile,
        "qtde_guardioes_ativos": int(user.qtde_guardioes_ativos or 0),
        "modules": [{"code": code, "meta": MODULE_META.get(code, {})} for code in user_modules(user)],
    }
    if user.modo_anonimo_ativo:
        body["anonymous_avatar_url"] = anonymous_avatar_url()
    return body


def set_skills(user: Cliente, skill_ids: list[int]) -> None:
    ids = sorted(set(skill_ids))
    known = {s.id for s in Skill.select(Skill.id).where(Skill.id.in_(ids))} if ids else set()
    for skill_id in ids:
        if skill_id not in known:
            raise form_error("skills", "invalid", f"Skill ID {skill_id} não é válido")
    with database.atomic():
        ClienteSkill.delete().where(ClienteSkill.cliente == user).execute()
        if ids:
            ClienteSkill.insert_many([{"cliente": user.id, "skill": i} for i in ids]).execute()
        Cliente.update(skills_cached=ids).where(Cliente.id == user.id).execute()
    user.skills_cached = ids


def update_profile(user: Cliente, values: dict, session_id: int | None) -> Cliente:
    """PUT /me: only the fields present change. E-mail and password need the current password; a new password
    ends every other session of hers."""
    if "email" in values or "senha" in values:
        if not values.get("senha_atual"):
            raise form_error("senha_atual", "is_required")
        check_current_password(user, values["senha_atual"])
    changes = {}
    if "email" in values:
        email = normalize_email(values["email"])
        if email_taken(email, except_id=user.id):
            raise form_error("email", "duplicate", "O e-mail já está em uso em outra conta")
        changes["email"] = email
    if "senha" in values:
        check_strength(values["senha"])
        changes["senha_hash"] = hash_password(values["senha"])
    for name in ("apelido", "minibio", "raca"):
        if name in values:
            changes[name] = values[name]
    if values.get("skills_remove"):
        set_skills(user, [])
    elif "skills" in values:
        set_skills(user, values["skills"] or [])
    if changes:
        with database.atomic():
            Cliente.update(**changes).where(Cliente.id == user.id).execute()
            if "senha_hash" in changes:
                revoke_sessions(user.id, keep_session_id=session_id)
    return Cliente.get_by_id(user.id)


TOGGLES = {
    "modo_camuflado": ("modo_camuflado_ativo", "modo_camuflado_atualizado_em"),
    "modo_anonimo": ("modo_anonimo_ativo", "modo_anonimo_atualizado_em"),
    "ja_foi_vitima_de_violencia": ("ja_foi_vitima_de_violencia", "ja_foi_vitima_de_violencia_atualizado_em"),
}


def toggle(user: Cliente, which: str, active: int) -> None:
    flag, stamp = TOGGLES[which]
    Cliente.update({getattr(Cliente, flag): bool(active), getattr(Cliente, stamp): clock.now()}
                   ).where(Cliente.id == user.id).execute()


def inc_login_offline(user: Cliente, inc_by: int) -> None:
    if inc_by < 0:
        raise form_error("inc_by", "invalid")
    Cliente.update(qtde_login_offline=Cliente.qtde_login_offline + inc_by).where(Cliente.id == user.id).execute()


def delete_text() -> str:
    row = Configuracao.select().order_by(Configuracao.id).first()
    return (row.texto_delete_me if row is not None and row.texto_delete_me else DEFAULT_DELETE_TEXT)


def published_skills() -> list[dict]:
    return [{"id": s.id, "skill": s.skill}
            for s in Skill.select().where(Skill.status == "published").order_by(Skill.sort, Skill.id)]


# ---------------------------------------------------------------------------------------------------- preferences

def visible_preferences(user: Cliente) -> list[Preference]:
    if not user.is_female:
        return []
    query = Preference.select().where(Preference.active == True).order_by(Preference.sort, Preference.id)  # noqa: E712
    if not user.eh_admin:
        query = query.where(Preference.admin_only == False)  # noqa: E712
    prefs = list(query)
    names = {p.name for p in prefs}
    hidden = set()
    if "NOTIFY_POST_FROM_BADGE_HOLDER_FOR_LINKED_CITY" in names:
        holds_linked = (ClienteTag.select().join(Badge)
                        .where(ClienteTag.cliente == user, Badge.linked_cep_cidade.is_null(False)).exists())
        if not holds_linked:
            hidden.add("NOTIFY_POST_FROM_BADGE_HOLDER_FOR_LINKED_CITY")
    if "NOTIFY_POST_FROM_BADGE_HOLDER_IN_MY_CITY" in names:
        near = bool(user.cep_cidade) and Badge.select().where(Badge.linked_cep_cidade == user.cep_cidade).exists()
        if not near:
            hidden.add("NOTIFY_POST_FROM_BADGE_HOLDER_IN_MY_CITY")
    return [p for p in prefs if p.name not in hidden]


def _truthy(value: str | None) -> bool:
    return value not in (None, "", "0")


def list_preferences(user: Cliente) -> list[dict]:
    prefs = visible_preferences(user)
    own = {cp.preference_id: cp.value for cp in
           ClientePreference.select().where(ClientePreference.cliente == user)}
    return [{"key": p.name, "label": p.label, "value": "1" if _truthy(own.get(p.id, p.initial_value)) else "0",
             "type": "boolean"} for p in prefs]


def preference_names(user: Cliente) -> list[str]:
    return [p.name for p in visible_preferences(user)]


def set_preferences(user: Cliente, values: dict[str, bool]) -> list[dict]:
    """Store the given keys (names of preferences she can see; others are ignored) and return the full list."""
    now = clock.now()
    by_name = {p.name: p for p in visible_preferences(user)}
    with database.atomic():
        for name, value in values.items():
            pref = by_name.get(name)
            if pref is None:
                continue
            (ClientePreference
             .insert(cliente=user.id, preference=pref.id, value="1" if value else "0", created_at=now, updated_at=now)
             .on_conflict(conflict_target=[ClientePreference.cliente, ClientePreference.preference],
                          update={ClientePreference.value: "1" if value else "0", ClientePreference.updated_at: now})
             .execute())
    return list_preferences(user)
