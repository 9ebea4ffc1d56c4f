"""Compiling a questionnaire's published ``quiz_config`` rows into the engine's message list (backend-rules §9.2).

Keys starting with ``_`` are the engine's private state and never reach the app. Every text and condition is
parsed here, so a content mistake is reported (to the operator by ``penhas quiz validate``, to the user as the
"problem building the questionnaire" message) before anyone answers. Compiled lists are cached per process under
(questionnaire id, content_version); the database bumps content_version whenever a question changes.
"""
import copy
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from penhas_api.core.models import Questionnaire, QuizConfig, Skill
from penhas_api.core.quiz_lang import TemplateError, check_condition, parse_template

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# The original accepted lower-case letters too (the real content has `B0_p0a`, `refazer`): only the shape is checked.
INPUT_TYPES = {"yesno", "yesnomaybe", "text", "multiplechoices", "onlychoice", "button"}
CONTROL_TYPES = {"auto_change_questionnaire", "tag_user", "next_mf_questionnaire"}
KNOWN_TYPES = {
    "yesno", "yesnomaybe", "text", "yesnogroup", "skillset", "displaytext", "botao_tela_modo_camuflado", "botao_fim",
    "multiplechoices", "onlychoice", "cep_address_lookup", "auto_change_questionnaire", "tag_user",
    "next_mf_questionnaire", "next_mf_questionnaire_outstanding",
}
APP_PAGES = {"feed", "chat", "escapemanual", "compose", "supportpoint", "helpcenter"}
_ROUTE_RE = re.compile(r"^/[A-Za-z0-9_/\-]*(\?[A-Za-z0-9_=&%\-:.]*)?$")
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 128
_CACHE_LOCK = threading.Lock()


@dataclass
class Problem:
    code: str
    message: str

    def __str__(self):
        return f"{self.code}: {self.message}"


class ContentError(Exception):
    """The questionnaire cannot be compiled; ``problems`` names each faulty question."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _codes(items) -> list[str]:
    out = []
    for item in items or []:
        if isinstance(item, dict) and str(item.get("codigo") or "").strip():
            out.append(str(item["codigo"]).strip())
    return out


def _base(row, **fields) -> dict:
    msg = {"_code": row["code"], "_relevance": (row.get("relevance") or "1").strip() or "1",
           "_tarefas": _codes(row.get("tarefas")), "_tags": _codes(row.get("tag"))}
    msg.update(fields)
    return msg


def _options(row, problems) -> tuple[list[dict], list]:
    options, values = [], []
    raw = row.get("options")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(row["code"], "a pergunta precisa de opções"))
        return options, values
    for i, opt in enumerate(raw):
        if not isinstance(opt, dict) or not str(opt.get("label") or "").strip():
            problems.append(Problem(row["code"], f"a opção {i} precisa de um texto (label)"))
            continue
        options.append({"display": str(opt["label"]), "index": str(i)})
        values.append(opt.get("value") if opt.get("value") is not None else str(opt["label"]))
    return options, values


def _skill_options() -> tuple[list[dict], list[int]]:
    skills = list(Skill.select().where(Skill.status == "published").order_by(Skill.sort, Skill.id))
    return ([{"display": s.skill, "index": str(i)} for i, s in enumerate(skills)], [s.id for s in skills])


def compile_rows(rows: list[dict], anonymous: bool = False) -> list[dict]:
    """Rows are ``quiz_config`` dicts (published, in order). Raises ContentError listing every problem."""
    messages, problems, refs_by_code = [], [], {}
    for row in rows:
        code, rid, kind = row.get("code") or "", row.get("id"), row.get("type") or ""
        if not CODE_RE.match(code):
            problems.append(Problem(code or f"#{rid}", "código precisa começar com uma letra e ter só letras, "
                                                       "números e _"))
        if kind not in KNOWN_TYPES:
            problems.append(Problem(code, f"tipo desconhecido {kind!r}"))
            continue
        texts = [("pergunta", row.get("question"))] + [
            (f"opção {i}", o.get("label")) for i, o in enumerate(row.get("options") or []) if isinstance(o, dict)]
        for text_name, text in texts:
            try:
                parse_template(str(text or ""))
            except TemplateError as exc:
                problems.append(Problem(code, f"{text_name}: {exc}"))
        try:
            check_condition(row.get("relevance") or "1")
        except TemplateError as exc:
            problems.append(Problem(code, f"relevância: {exc}"))
        for intro in row.get("intro") or []:
            text = intro.get("text") if isinstance(intro, dict) else None
            if not text:
                continue
            try:
                parse_template(text)
            except TemplateError as exc:
                problems.append(Problem(code, f"introdução: {exc}"))
            messages.append(_base(row, type="displaytext", style="normal", content=text, _tarefas=[], _tags=[]))
        question = row.get("question") or ""
        new: list[dict] = []
        if kind == "yesno":
            new.append(_base(row, type="yesno", content=question, ref=f"YN{rid}"))
        elif kind == "yesnomaybe":
            new.append(_base(row, type="yesnomaybe", content=question, ref=f"MYN{rid}"))
        elif kind == "text":
            new.append(_base(row, type="text", content=question, ref=f"FT{rid}"))
        elif kind == "yesnogroup":
            seen_p2a, k = set(), 1
            for sub in row.get("yesnogroup") or []:
                if not isinstance(sub, dict) or not sub.get("Status"):
                    continue
                k += 1
                p2a = sub.get("power2answer")
                try:
                    p2a = int(p2a)
                except (TypeError, ValueError):
                    p2a = 0
                if p2a < 1 or p2a & (p2a - 1) or p2a in seen_p2a:
                    problems.append(Problem(code, f"power2answer {sub.get('power2answer')!r} precisa ser uma "
                                                  "potência de 2 (≥1) única no grupo"))
                seen_p2a.add(p2a)
                ref = f"{code}_{sub.get('referencia')}"
                new.append(_base(row, type="yesno", content=str(sub.get("question") or ""), ref=f"YN{rid}_{k}",
                                 _sub={"ref": ref, "p2a": p2a, "code": code}))
        elif kind == "skillset":
            options, ids = _skill_options()
            new.append(_base(row, type="multiplechoices", content=question, ref=f"MC{rid}", options=options,
                             _values=ids, _skillset=1))
        elif kind == "displaytext":
            new.append(_base(row, type="displaytext", style="normal", content=question))
        elif kind == "botao_tela_modo_camuflado":
            new.append(_base(row, type="button", content=question, action="botao_tela_modo_camuflado",
                             label=row.get("button_label") or "Visualizar", ref=f"BT{rid}",
                             ending_cancel_text="Tutorial cancelado", ending_action_text="Modo camuflado ativado"))
        elif kind == "botao_fim":
            new.append(_base(row, type="button", content=question, action="none",
                             label=row.get("button_label") or "Enviar", ref=f"BT{rid}", _end_chat=1))
        elif kind in ("multiplechoices", "onlychoice"):
            options, values = _options(row, problems)
            prefix = "MC" if kind == "multiplechoices" else "OC"
            new.append(_base(row, type=kind, content=question, ref=f"{prefix}{rid}", options=options, _values=values))
        elif kind == "cep_address_lookup":
            new.append(_base(row, type="text", content=question, ref=f"CEP{rid}", _cep=1))
            new.append(_base(row, type="displaytext", style="normal", content="", _cep_results=1,
                             _relevance=f"{code}.defined() && cep_results.defined()", _tarefas=[], _tags=[]))
        elif kind == "auto_change_questionnaire":
            target = row.get("change_to_questionnaire_id")
            if not target:
                problems.append(Problem(code, "auto_change_questionnaire precisa de change_to_questionnaire_id"))
            new.append(_base(row, type="auto_change_questionnaire", _change_to=target))
        elif kind == "tag_user":
            if anonymous:
                problems.append(Problem(code, "tag_user não é permitido em questionário anônimo"))
            new.append(_base(row, type="tag_user"))
        else:
            new.append(_base(row, type="next_mf_questionnaire",
                             _outstanding=1 if kind.endswith("_outstanding") else 0))
        for msg in new:
            if msg["type"] in INPUT_TYPES and msg["type"] != "button" and not str(msg.get("content") or "").strip():
                problems.append(Problem(code, "pergunta sem texto"))
            if msg["type"] == "button" and not (msg.get("content") and msg.get("label") and msg.get("ref")):
                problems.append(Problem(code, "botão precisa de texto, ação, rótulo e referência"))
            if msg["type"] == "multiplechoices" and not msg.get("options") and not msg.get("_skillset"):
                problems.append(Problem(code, "múltipla escolha precisa de opções com texto"))
            if "ref" in msg:
                if msg["ref"] in refs_by_code.setdefault(code, set()):
                    problems.append(Problem(code, f"referência repetida {msg['ref']}"))
                refs_by_code[code].add(msg["ref"])
            if anonymous:
                msg["code"] = msg["_sub"]["ref"] if "_sub" in msg else code
                for opt, value in zip(msg.get("options") or [], msg.get("_values") or []):
                    opt["code_value"] = value
        messages.extend(new)
    if problems:
        raise ContentError(problems)
    return messages


def check_end_screen(template: str) -> list[Problem]:
    """Every literal an end_screen can render must be an app route (contract §2.3.1), never the original's `home`."""
    try:
        ast = parse_template(template or "")
    except TemplateError as exc:
        return [Problem("end_screen", str(exc))]
    problems = []
    for text in _literals(ast):
        text = text.strip()
        if not text:
            continue
        if not _ROUTE_RE.match(text):
            problems.append(Problem("end_screen", f"{text!r} não é uma rota do app (ex.: /mainboard?page=feed)"))
        elif text.startswith("/mainboard"):
            page = dict(p.split("=", 1) for p in text.partition("?")[2].split("&") if "=" in p).get("page")
            if page not in APP_PAGES:
                problems.append(Problem("end_screen", f"página {page!r} não existe no app"))
    return problems


def _literals(parts):
    for part in parts:
        if isinstance(part, str):
            yield part
        elif part[0] == "if":
            for _, body in part[1]:
                yield from _literals(body)
            yield from _literals(part[2])


def published_rows(questionnaire_id: int) -> list[dict]:
    query = (QuizConfig.select().where(QuizConfig.questionnaire == questionnaire_id, QuizConfig.status == "published")
             .order_by(QuizConfig.sort, QuizConfig.id))
    return [row_dict(r) for r in query]


def row_dict(r: QuizConfig) -> dict:
    return {"id": r.id, "type": r.type, "code": r.code, "question": r.question, "intro": r.intro or [],
            "relevance": r.relevance, "button_label": r.button_label, "options": r.options,
            "yesnogroup": r.yesnogroup or [], "tarefas": r.tarefas or [], "tag": r.tag or [],
            "change_to_questionnaire_id": r.change_to_questionnaire_id}


def compiled(questionnaire: Questionnaire) -> list[dict]:
    """The questionnaire's messages (a fresh copy the caller may change). Raises ContentError."""
    anonymous = not questionnaire.penhas_cliente_required
    key = (questionnaire.id, questionnaire.content_version, anonymous)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
    if cached is None:
        cached = compile_rows(published_rows(questionnaire.id), anonymous=anonymous)
        with _CACHE_LOCK:
            _CACHE[key] = cached
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return copy.deepcopy(cached)


def validate_questionnaire(questionnaire: Questionnaire, rows: list[dict] | None = None) -> list[Problem]:
    """Every problem `penhas quiz validate` reports for one questionnaire (empty when it is fine)."""
    problems = []
    try:
        check_condition(questionnaire.condition)
    except TemplateError as exc:
        problems.append(Problem("condition", str(exc)))
    problems.extend(check_end_screen(questionnaire.end_screen))
    rows = published_rows(questionnaire.id) if rows is None else rows
    try:
        compile_rows(rows, anonymous=not questionnaire.penhas_cliente_required)
    except ContentError as exc:
        problems.extend(exc.problems)
    if questionnaire.penhas_cliente_required:
        for row in rows:
            if row.get("type") in ("text", "cep_address_lookup"):
                problems.append(Problem(row["code"], "o app não responde perguntas de texto livre: use só no "
                                                     "questionário anônimo"))
    return problems
