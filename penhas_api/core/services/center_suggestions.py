"""Suggested support centers: the app's form (every answer kept) and the operator's review (backend-rules §11.9)."""
import logging
import re

from penhas_api.core import clock
from penhas_api.core.adapters import cep as cep_adapter
from penhas_api.core.adapters.geocoder import GeocoderUnavailable, get_geocoder
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError, form_error, item_not_found
from penhas_api.core.models import Center, CenterCategory, CenterProject, CenterProjectLink, CenterSuggestion
from penhas_api.core.ids import parse_id
from penhas_api.core.services import center_import
from penhas_api.core.services.centers import refresh_search_text

log = logging.getLogger("penhas.centers")

STATUSES = ("awaiting-moderation", "approved", "reproved")
SUGGESTION_RECEIVED = {"success": 1, "title": "Sugestão recebida",
                       "message": "Sua sugestão será avaliada antes de ser publicada."}
# Both spellings of the two yes/no answers: the app sends is24h/hasWhatsapp, the original form eh_24h/has_whatsapp.
ANSWER_ALIASES = {"eh_24h": ("is24h", "eh_24h"), "has_whatsapp": ("hasWhatsapp", "has_whatsapp")}
PUBLISH_REQUIRED = ("nome", "categoria", "abrangencia", "natureza", "cep", "cod_ibge", "uf", "municipio",
                    "tipo_logradouro", "nome_logradouro", "bairro", "latitude", "longitude")


def yes_no(value: str | None) -> bool | None:
    """'Sim' → True, 'Não' → False, empty → None (not answered)."""
    text = (value or "").strip().lower()
    if not text:
        return None
    return text in ("sim", "1", "true", "s", "yes")


def cep_not_found(cep: str):
    return PenhasError("cep_invalid", f"Não conseguimos localizar o endereço do CEP {cep}!", 400, field="cep",
                       reason="invalid")


def suggest(cliente_id: int, form: dict, ip: str | None) -> CenterSuggestion:
    """Keep a suggestion from the app. ``form`` is the validated form; yes/no answers under either spelling."""
    categoria = parse_id(form["categoria"])
    if categoria is None or CenterCategory.get_or_none(CenterCategory.id == categoria) is None:
        raise form_error("categoria")
    cep = None
    if form.get("cep"):
        cep = cep_adapter.clean_cep(form["cep"])
        if cep is None:
            raise cep_not_found(form["cep"])
        try:
            if cep_adapter.lookup(cep) is None:
                raise cep_not_found(form["cep"])
        except cep_adapter.CepUnavailable:
            # A suggestion is reviewed by a person anyway: do not lose it because ViaCEP is down.
            log.warning("ViaCEP unavailable; suggestion kept without checking its CEP")
    answers = {}
    for column, names in ANSWER_ALIASES.items():
        given = [form.get(n) for n in names if form.get(n)]
        answers[column] = yes_no(given[0]) if given else None
    return CenterSuggestion.create(
        cliente=cliente_id, status="awaiting-moderation", created_at=clock.now(),
        nome=form["nome"], categoria=categoria, nome_logradouro=form["nome_logradouro"], cep=cep,
        abrangencia=form["abrangencia"], complemento=form.get("complemento") or None,
        numero=form.get("numero") or None, bairro=form.get("bairro") or None, municipio=form["municipio"],
        uf=form["uf"].upper(), email=form.get("email") or None, horario=form.get("horario") or None,
        ddd1=form.get("ddd1"), telefone1=form.get("telefone1"), ddd2=form.get("ddd2"), telefone2=form.get("telefone2"),
        observacao=form.get("observacao") or None, metainfo={"ip": ip} if ip else {}, **answers)


# -- operator review ---------------------------------------------------------------------------------------------
def list_suggestions(status: str | None = "awaiting-moderation", limit: int = 100) -> list[CenterSuggestion]:
    query = CenterSuggestion.select().order_by(CenterSuggestion.created_at, CenterSuggestion.id).limit(limit)
    if status:
        query = query.where(CenterSuggestion.status == status)
    return list(query)


def get_suggestion(suggestion_id: int) -> CenterSuggestion:
    s = CenterSuggestion.get_or_none(CenterSuggestion.id == suggestion_id)
    if s is None:
        raise item_not_found(f"suggestion {suggestion_id}")
    return s


def split_logradouro(text: str) -> tuple[str | None, str]:
    """'Rua Augusta' → ('Rua', 'Augusta'); unknown prefix → (None, text)."""
    for tipo in sorted(center_import.TIPOS_LOGRADOURO, key=len, reverse=True):
        if re.match(rf"{re.escape(tipo)}\b", text, re.I):
            rest = text[len(tipo):].strip(" ,.-")
            if rest:
                return tipo, rest
    return None, text


def draft_from(s: CenterSuggestion) -> dict:
    """A center pre-filled from the suggestion (and ViaCEP when it has a CEP), as strings for the converters."""
    tipo, nome_logradouro = split_logradouro(s.nome_logradouro)
    numero = (s.numero or "").strip()
    observacao = "\n".join(p for p in (s.observacao, f"Horário: {s.horario}" if s.horario else None) if p)
    draft = {
        "nome": s.nome, "categoria": str(s.categoria), "abrangencia": (s.abrangencia or "").capitalize(),
        "natureza": "", "cep": s.cep or "", "cod_ibge": "", "uf": s.uf.upper(), "municipio": s.municipio,
        "bairro": s.bairro or "", "tipo_logradouro": tipo or "", "nome_logradouro": nome_logradouro,
        "numero": numero if numero.isdigit() else "s/n" if not numero else numero,
        "complemento": s.complemento or "", "ddd": str(s.ddd1 or ""), "telefone1": str(s.telefone1 or ""),
        "telefone2": str(s.telefone2 or ""), "email": s.email or "",
        "eh_24h": {True: "Sim", False: "Não", None: ""}[s.eh_24h],
        "eh_whatsapp": {True: "Sim", False: "Não", None: ""}[s.has_whatsapp],
        "observacao": observacao, "latitude": "", "longitude": "",
    }
    if s.cep:
        try:
            address = cep_adapter.lookup(s.cep)
        except cep_adapter.CepUnavailable:
            address = None
        if address:
            draft.update(cod_ibge=str(address.ibge or ""), municipio=address.localidade or draft["municipio"],
                         uf=address.uf or draft["uf"], bairro=draft["bairro"] or address.bairro)
    return draft


def _convert(draft: dict) -> tuple[dict, list[str]]:
    values, problems = {}, []
    cats = center_import.category_ids()
    for column, raw in draft.items():
        raw = (raw or "").strip()
        try:
            if column == "numero":
                values["numero"], values["numero_sem_numero"] = center_import.convert_numero(raw)
            elif column == "categoria":
                values["categoria"] = center_import.to_category(raw, cats)
            elif column in center_import.CONVERTERS:
                values[column] = center_import.CONVERTERS[column](raw)
            else:
                problems.append(f"{column}: unknown field")
        except ValueError as exc:
            problems.append(f"{column}: {exc}")
    problems += [f"{c}: required" for c in PUBLISH_REQUIRED
                 if values.get(c) is None and not any(p.startswith(f"{c}:") for p in problems)]
    return values, problems


def approve(suggestion_id: int, overrides: dict | None = None, geocode: bool = True) -> Center:
    """Publish a center from a suggestion after validation; ``overrides`` (column → text) fix or fill the draft.

    The draft (with overrides) is saved on the suggestion whatever happens, so the next attempt starts from it.
    """
    s = get_suggestion(suggestion_id)
    if s.status != "awaiting-moderation":
        raise PenhasError("suggestion_closed", f"suggestion {s.id} was already reviewed ({s.status})", 400)
    draft = dict(s.saved_form or draft_from(s))
    draft.update({k: v for k, v in (overrides or {}).items()})
    if geocode and not (draft.get("latitude") and draft.get("longitude")):
        numero = draft.get("numero") or ""
        street = f"{draft.get('tipo_logradouro', '')} {draft.get('nome_logradouro', '')}"
        street += f" {numero}" if numero.isdigit() else ""
        cep = cep_adapter.clean_cep(draft.get("cep"))
        address = ", ".join(p.strip() for p in (street, draft.get("bairro") or "",
                                                f"{draft.get('municipio')} - {draft.get('uf')}",
                                                cep_adapter.format_cep(cep) if cep else "", "Brasil") if p.strip())
        try:
            found = get_geocoder().geocode(address)
        except GeocoderUnavailable:
            found = None
        if found:
            draft.update(latitude=str(round(found.latitude, 7)), longitude=str(round(found.longitude, 7)))
    CenterSuggestion.update(saved_form=draft).where(CenterSuggestion.id == s.id).execute()
    values, problems = _convert(draft)
    if problems:
        raise PenhasError("invalid_center", "fix before publishing: " + "; ".join(problems), 400)
    values["eh_whatsapp"] = bool(values.get("eh_whatsapp"))
    now = clock.now()
    with database.atomic():
        center = Center(**values, status="active", ja_passou_por_moderacao=True, created_on=now, updated_at=now,
                        cliente=s.cliente_id)
        refresh_search_text(center)
        center.save(force_insert=True)
        penhas = CenterProject.get_or_none(CenterProject.label == "Penhas")
        if penhas is not None:
            CenterProjectLink.insert(center=center.id, project=penhas.id).execute()
        actor = audit("centers.suggestion.approve", "ponto_apoio_sugestoes_v2", s.id, ponto_apoio_id=center.id).actor
        CenterSuggestion.update(status="approved", updated_by_admin_at=now, created_ponto_apoio=center.id,
                                metainfo={**(s.metainfo or {}), "ponto_apoio_id": center.id,
                                          "approved_by": actor}).where(CenterSuggestion.id == s.id).execute()
    return center


def reject(suggestion_id: int) -> CenterSuggestion:
    s = get_suggestion(suggestion_id)
    if s.status != "awaiting-moderation":
        raise PenhasError("suggestion_closed", f"suggestion {s.id} was already reviewed ({s.status})", 400)
    with database.atomic():
        CenterSuggestion.update(status="reproved", updated_by_admin_at=clock.now()).where(
            CenterSuggestion.id == s.id).execute()
        audit("centers.suggestion.reject", "ponto_apoio_sugestoes_v2", s.id)
    return get_suggestion(suggestion_id)
