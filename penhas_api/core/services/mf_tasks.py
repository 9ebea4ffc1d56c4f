"""Her escape-plan task list (backend-rules §9.8): tasks added by answers, the list the app syncs, its updates.

A task enters her list once (``mf_cliente_tarefa``); removing it only stamps ``removido_em`` so the app learns
of the removal (``tarefas_removidas``). An answer that adds a task she had removed brings it back unticked.
"""
import calendar
import json
from datetime import datetime

from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError, form_error
from penhas_api.core.ids import parse_id
from penhas_api.core.models import MfClienteTarefa, MfTarefa

MAX_CAMPO_LIVRE = 50000


def epoch(value: datetime | None) -> int:
    return calendar.timegm(value.timetuple()) if value else 0


def add_tasks(cliente_id: int, codes: list[str]) -> int:
    """Add the catalogue tasks with these codes to her list; returns how many entered (or came back)."""
    codes = [c for c in dict.fromkeys(codes) if c]
    if not codes:
        return 0
    now = clock.now()
    tasks = {t.codigo: t for t in MfTarefa.select().where(MfTarefa.codigo.in_(codes))}
    mine = {r.tarefa_id: r for r in MfClienteTarefa.select().where(
        MfClienteTarefa.cliente == cliente_id, MfClienteTarefa.tarefa.in_([t.id for t in tasks.values()]))}
    added = 0
    for code in codes:
        task = tasks.get(code)
        if task is None:
            continue
        row = mine.get(task.id)
        if row is None:
            MfClienteTarefa.create(tarefa=task, cliente=cliente_id, criado_em=now, atualizado_em=now)
            added += 1
        elif row.removido_em is not None:
            MfClienteTarefa.update(removido_em=None, checkbox_feito=False, atualizado_em=now).where(
                MfClienteTarefa.id == row.id).execute()
            added += 1
    return added


def remove_tasks(cliente_id: int, codes: list[str] | None = None) -> int:
    """Soft-remove her tasks (those with these codes, or all of them)."""
    now = clock.now()
    query = MfClienteTarefa.update(removido_em=now, atualizado_em=now).where(
        MfClienteTarefa.cliente == cliente_id, MfClienteTarefa.removido_em.is_null())
    if codes is not None:
        if not codes:
            return 0
        query = query.where(MfClienteTarefa.tarefa.in_(MfTarefa.select(MfTarefa.id).where(MfTarefa.codigo.in_(codes))))
    return query.execute()


def catalogue() -> list[MfTarefa]:
    """The escape-plan tasks answers can add (custom tasks excluded), by code."""
    tasks = list(MfTarefa.select().where(MfTarefa.eh_customizada == False))  # noqa: E712
    return sorted(tasks, key=lambda t: (len(t.codigo or ""), t.codigo or ""))


def catalogue_item(code: str) -> MfTarefa:
    task = MfTarefa.get_or_none(MfTarefa.codigo == code)
    if task is None:
        raise PenhasError("tarefa_not_found", f"tarefa {code} não existe", 404)
    return task


def task_json(row: MfClienteTarefa) -> dict:
    t = row.tarefa
    return {"id": row.id, "checkbox_feito": 1 if row.checkbox_feito else 0, "atualizado_em": epoch(row.atualizado_em),
            "campo_livre": row.campo_livre, "tipo": t.tipo, "eh_customizada": 1 if t.eh_customizada else 0,
            "titulo": t.titulo, "descricao": t.descricao, "agrupador": t.agrupador}


def changed_since(cliente_id: int, since: datetime) -> tuple[list[dict], list[int]]:
    rows = (MfClienteTarefa.select(MfClienteTarefa, MfTarefa).join(MfTarefa)
            .where(MfClienteTarefa.cliente == cliente_id, MfClienteTarefa.atualizado_em >= since)
            .order_by(MfClienteTarefa.id))
    tarefas, removed = [], []
    for row in rows:
        if row.removido_em is None:
            tarefas.append(task_json(row))
        else:
            removed.append(row.id)
    return tarefas, removed


def _bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1) or (isinstance(value, str) and value.strip() in ("0", "1", "true", "false")):
        return str(value).strip() in ("1", "true", "True")
    raise form_error(field, "invalid", f"Campo {field} precisa ser 0 ou 1")


def _campo_livre(value, from_json_body: bool):
    """campo_livre arrives as a JSON string (query/form) or, in the batch body, also as a JSON value."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > MAX_CAMPO_LIVRE:
            raise form_error("campo_livre", "invalid", "json inválido")
        try:
            return json.loads(value)
        except ValueError:
            raise form_error("campo_livre", "invalid", "json inválido") from None
    if from_json_body and isinstance(value, (list, dict, int, float, bool)):
        if len(json.dumps(value)) > MAX_CAMPO_LIVRE:
            raise form_error("campo_livre", "invalid", "json inválido")
        return value
    raise form_error("campo_livre", "invalid", "json inválido")


def not_found():
    return PenhasError("mfclientetarefa_id_not_found", "Não foi possível encontrar a tarefa.", 400)


def parse_update(item, from_json_body: bool = False) -> dict:
    """One sync item: {id, remove} or {id, checkbox_feito[, campo_livre]}; ids may be strings or numbers."""
    if not isinstance(item, dict):
        raise form_error("body", "invalid", "INVALID JSON, body must be an array!")
    raw_id = item.get("id")
    # A JSON number goes through parse_id too: it may be negative, a bool, or beyond what a BIGINT holds.
    task_id = None if isinstance(raw_id, bool) else parse_id(raw_id)
    if raw_id is None or raw_id == "":
        raise form_error("id", "is_required")
    if task_id is None:
        raise form_error("id", "invalid")
    out = {"id": task_id, "remove": False}
    if item.get("remove") not in (None, ""):
        out["remove"] = _bool(item["remove"], "remove")
    if not out["remove"]:
        if item.get("checkbox_feito") in (None, ""):
            raise form_error("checkbox_feito", "is_required")
        out["checkbox_feito"] = _bool(item["checkbox_feito"], "checkbox_feito")
        if "campo_livre" in item:
            out["campo_livre"] = _campo_livre(item["campo_livre"], from_json_body)
    return out


def apply_update(cliente_id: int, update: dict) -> str:
    """Apply one parsed update to her task; returns 'removed' or 'updated'."""
    row = (MfClienteTarefa.select(MfClienteTarefa, MfTarefa).join(MfTarefa)
           .where(MfClienteTarefa.id == update["id"], MfClienteTarefa.cliente == cliente_id,
                  MfClienteTarefa.removido_em.is_null()).first())
    if row is None:
        raise not_found()
    now = clock.now()
    if update["remove"]:
        MfClienteTarefa.update(removido_em=now, atualizado_em=now).where(MfClienteTarefa.id == row.id).execute()
        return "removed"
    changes = {}
    # Contact lists live in campo_livre: kept for custom tasks and for contact tasks (checkbox_contato), whose
    # whole point is the list she types.
    if "campo_livre" in update and (row.tarefa.eh_customizada or row.tarefa.tipo == "checkbox_contato"):
        if update["campo_livre"] != row.campo_livre:
            changes[MfClienteTarefa.campo_livre] = update["campo_livre"]
    done = update["checkbox_feito"]
    if done != row.checkbox_feito:
        changes[MfClienteTarefa.checkbox_feito] = done
        prefix = "checked" if done else "unchecked"
        first = getattr(row, f"checkbox_feito_{prefix}_first_updated_at")
        if first is None:
            changes[getattr(MfClienteTarefa, f"checkbox_feito_{prefix}_first_updated_at")] = now
        changes[getattr(MfClienteTarefa, f"checkbox_feito_{prefix}_last_updated_at")] = now
    if changes:
        changes[MfClienteTarefa.atualizado_em] = now
        MfClienteTarefa.update(changes).where(MfClienteTarefa.id == row.id).execute()
    return "updated"


def sync(cliente_id: int, item: dict) -> None:
    apply_update(cliente_id, parse_update(item))


def batch(cliente_id: int, body) -> dict:
    """All-or-nothing: every item is checked and applied in one transaction; any error undoes them all."""
    if not isinstance(body, list):
        raise form_error("body", "invalid", "INVALID JSON, body must be an array!")
    if len(body) > 1000:
        raise form_error("body", "invalid", "Envie no máximo 1000 tarefas por vez")
    updates = [parse_update(item, from_json_body=True) for item in body]
    counts = {"updated": 0, "removed": 0}
    with database.atomic():
        for update in updates:
            counts[apply_update(cliente_id, update)] += 1
    return counts
