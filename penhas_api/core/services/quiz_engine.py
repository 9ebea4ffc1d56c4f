"""The quiz engine: a session's state, rendering and answers (backend-rules §9.3, §9.4).

A session is two JSON documents: ``stash`` (the engine's state: ``pending`` messages not reached yet,
``current_msgs`` shown now, ``prev_msgs`` the history, ``is_eof``/``is_finished``, and for the Manual de Fuga
``is_mf``/``mf_control_id``/``redo_addr``) and ``responses`` (her answers by question code). The same engine runs
signed-in sessions (``QuizSession``, with side effects on her account) and anonymous ones (no side effects).
Answers are never logged.
"""
import calendar
import json
import re
import secrets

from penhas_api.core import clock
from penhas_api.core.models import Cliente, Questionnaire
from penhas_api.core.quiz_lang import TemplateError, condition, render
from penhas_api.core.services import mf_state, mf_tasks, quiz_tags
from penhas_api.core.services.quiz_compile import ContentError, compiled

LOOP_LIMIT = 100
LOOP_MESSAGE = "Loop no quiz detectado, entre em contato com o suporte"
BUILD_ERROR = "Encontramos um problema para montar o questionário!"
FORCED_END = "Tudo certo por aqui! Recado para administrador: quiz acabou sem botão fim!"
CEP_HELP = 'Digite outro CEP no formato 00000-000 ou use o botão "Sair" para encerrar a conversa.'
YES_NO = {"Y": "Sim", "N": "Não", "M": "Talvez"}
# The user fields content may read (`cliente.x`); nothing secret or identifying beyond what the texts greet with.
CLIENTE_VARS = ("nome_completo", "apelido", "nome_social", "genero", "ja_completou_mf", "quiz_detectou_violencia",
                "modo_camuflado_ativo", "modo_anonimo_ativo", "ja_foi_vitima_de_violencia", "cep_cidade",
                "cep_estado")
PERSISTED = ("stash", "responses", "questionnaire", "finished_at")
_MC_RE = re.compile(r"^\s*\d{1,6}(\s*,\s*\d{1,6})*\s*$")
_OC_RE = re.compile(r"^\s*\d{1,6}\s*$")


def now_epoch() -> int:
    return calendar.timegm(clock.now().timetuple())


def cliente_vars(user: Cliente | None) -> dict:
    return {name: getattr(user, name) for name in CLIENTE_VARS} if user is not None else {}


def _display(content: str) -> dict:
    return {"type": "displaytext", "style": "normal", "content": content, "_relevance": "1", "_visible": 1}


def _error(content: str) -> dict:
    return {"type": "displaytext", "style": "error", "content": content}


def error_stash(problem: str, extra: dict) -> dict:
    """What a session holds when its questionnaire does not compile: the problem and a retry button."""
    retry = {"type": "button", "content": "Clique para tentar de novo.", "action": "none", "label": "Tentar agora",
             "ref": "BT_RETRY", "_retry": 1, "_relevance": "1", "_visible": 1, "_code": "BT_RETRY"}
    return {**extra, "pending": [], "current_msgs": [_display(BUILD_ERROR), _display(problem), retry],
            "prev_msgs": [], "is_eof": 0, "is_finished": 0}


def initial_stash(questionnaire: Questionnaire, extra: dict | None = None) -> dict:
    extra = dict(extra or {})
    try:
        pending = compiled(questionnaire)
    except ContentError as exc:
        return error_stash(str(exc), extra)
    return {**extra, "pending": pending, "current_msgs": [], "prev_msgs": [], "is_eof": 0, "is_finished": 0}


class Engine:
    """One load or answer of one session. ``session`` is a QuizSession or AnonymousQuizSession row."""

    def __init__(self, session, user: Cliente | None, session_id=None):
        self.session = session
        self.user = user
        self.session_id = session.id if session_id is None else session_id
        self.stash = session.stash or {}
        self.responses = session.responses or {}
        self._snapshot = json.dumps([self.stash, self.responses, session.questionnaire_id], sort_keys=True)

    # -- helpers ---------------------------------------------------------------------------------------------------
    @property
    def is_mf(self) -> bool:
        return bool(self.stash.get("is_mf")) and self.user is not None

    @property
    def redo(self) -> bool:
        return bool(self.stash.get("redo_addr"))

    def vars(self) -> dict:
        out = dict(self.responses)
        out["cliente"] = cliente_vars(self.user)
        return out

    def _switch(self, questionnaire_id, mark: bool = True) -> None:
        """Continue in another questionnaire (auto_change / next MF block); history and answers carry over."""
        if mark and self.is_mf and not self.redo:
            mf_state.mark_completed(self.user.id, self.session.questionnaire_id)
        questionnaire = Questionnaire.get_or_none(Questionnaire.id == questionnaire_id) if questionnaire_id else None
        extra = {k: self.stash[k] for k in ("is_mf", "mf_control_id", "redo_addr") if k in self.stash}
        if questionnaire is None:
            new = error_stash(f"questionário {questionnaire_id} não existe", extra)
        else:
            if self.is_mf:
                mf_state.prepare(self.user.id, questionnaire.id)
            self.session.questionnaire = questionnaire
            new = initial_stash(questionnaire, extra)
        new["prev_msgs"] = self.stash.get("prev_msgs", [])
        new["current_msgs"] = [m for m in self.stash.get("current_msgs", []) if m.get("_visible")] + \
            new["current_msgs"]
        self.stash = new
        self.responses["start_time"] = now_epoch()

    def _finish(self) -> None:
        self.stash["is_finished"] = 1
        self.stash["is_eof"] = 1

    def _side_effects(self, msg: dict) -> None:
        if self.user is None:
            return
        if msg.get("_tarefas"):
            mf_tasks.add_tasks(self.user.id, msg["_tarefas"])
        if msg.get("_tags"):
            quiz_tags.add_tags(self.user.id, msg["_tags"])

    # -- §9.3: reaching the next input -------------------------------------------------------------------------------
    def _add_more(self, vars_: dict) -> bool:
        """Shift pending messages until a relevant input; returns True when the questionnaire changed."""
        pending, current = self.stash["pending"], self.stash["current_msgs"]
        while pending:
            msg = pending.pop(0)
            visible = condition(msg.get("_relevance", "1"), vars_)
            msg["_visible"] = 1 if visible else 0
            kind = msg["type"]
            if not visible:
                current.append(msg)
            elif kind == "tag_user":
                if self.user is not None:
                    quiz_tags.add_tags(self.user.id, msg.get("_tags") or [])
            elif kind == "auto_change_questionnaire":
                self._switch(msg.get("_change_to"))
                return True
            elif kind == "next_mf_questionnaire":
                if self.is_mf and not self.redo:
                    mf_state.mark_completed(self.user.id, self.session.questionnaire_id)
                    ctrl = mf_state.control(self.user.id)
                    nxt = mf_state.next_questionnaire(ctrl, outstanding=bool(msg.get("_outstanding")))
                    if nxt is not None:
                        self._switch(nxt.id, mark=False)
                        return True
                    mf_state.complete(self.user.id)
                    self._finish()
                    return False
            elif kind == "displaytext":
                self._side_effects(msg)
                current.append(msg)
            else:
                current.append(msg)
                break
        if not pending:
            self.stash["is_eof"] = 1
        return False

    def _has_visible_input(self) -> bool:
        return any(m.get("_visible") and m["type"] != "displaytext" for m in self.stash["current_msgs"])

    def load(self, post: bool = False, preamble: list[dict] | None = None) -> dict:
        """Bring the session to its next input and render it (GET when ``post`` is False)."""
        preamble = list(preamble or [])
        if self.stash.get("is_finished"):
            self._persist()
            return self._output(post, preamble)
        try:
            out = self._advance(post, preamble)
        except TemplateError as exc:
            # Content compiled but failed while rendering (it should not): show the problem, keep the session.
            return {"session_id": self.session_id, "current_msgs": preamble + [_error(f"{BUILD_ERROR} {exc}")],
                    "prev_msgs": None}
        return out

    def _advance(self, post: bool, preamble: list[dict]) -> dict:
        stash = self.stash
        stash.setdefault("pending", [])
        stash.setdefault("current_msgs", [])
        stash.setdefault("prev_msgs", [])
        # Step 2: what was hidden last time goes to the end of the queue, to be looked at again later.
        hidden = [m for m in stash["current_msgs"] if not m.get("_visible")]
        if hidden:
            stash["current_msgs"] = [m for m in stash["current_msgs"] if m.get("_visible")]
            stash["pending"].extend(hidden)
        iterations = 0
        while True:
            iterations += 1
            if iterations > LOOP_LIMIT:
                return {"session_id": self.session_id, "current_msgs": [_error(LOOP_MESSAGE)], "prev_msgs": None}
            vars_ = self.vars()
            if not self._has_visible_input() and not stash.get("is_finished"):
                if self._add_more(vars_):
                    stash = self.stash
                    continue
            if stash.get("is_finished"):
                break
            visible = self._render_list(stash["current_msgs"], self.vars())
            if not visible and not stash.get("is_eof"):
                continue
            if stash.get("is_eof") and not self._has_visible_input():
                # Content that ends without an end button: never leave her without a way out.
                stash["current_msgs"].append({
                    "type": "button", "content": FORCED_END, "action": "", "label": "Finalizar", "_end_chat": 1,
                    "ref": f"BT_END_{secrets.token_hex(4)}", "_visible": 1, "_relevance": "1", "_code": "BT_END"})
            break
        self._persist()
        return self._output(post, preamble)

    # -- rendering ------------------------------------------------------------------------------------------------
    def _render_msg(self, msg: dict, vars_: dict) -> list[dict]:
        if msg.get("_cep_results"):
            lines = self.responses.get("cep_results")
            try:
                lines = json.loads(lines) if isinstance(lines, str) else (lines or [])
            except ValueError:
                lines = []
            header = render("Este são os resultados que encontrei para [% human_address %]", vars_)
            return [{"type": "displaytext", "style": "normal", "content": header}] + [
                {"type": "displaytext", "style": "normal", "content": str(line)} for line in lines]
        out = {}
        for key, value in msg.items():
            if key.startswith("_"):
                continue
            if "content" in key and isinstance(value, str):
                value = render(value, vars_)
            elif key == "options" and isinstance(value, list):
                value = [{**o, "display": render(str(o.get("display", "")), vars_)} for o in value]
            out[key] = value
        if not out.get("content") and out["type"] != "button":
            return []
        return [out]

    def _render_list(self, msgs: list[dict], vars_: dict) -> list[dict]:
        out = []
        for msg in msgs:
            if msg.get("_visible"):
                out.extend(self._render_msg(msg, vars_))
        return out

    def _output(self, post: bool, preamble: list[dict]) -> dict:
        if self.stash.get("is_finished"):
            questionnaire = self.session.questionnaire if self.session.questionnaire_id else None
            end = render(questionnaire.end_screen, self.vars()).strip() if questionnaire else ""
            return {"session_id": self.session_id, "finished": 1, "end_screen": end or "/mainboard?page=feed"}
        vars_ = self.vars()
        return {
            "session_id": self.session_id,
            "finished": 0,
            "current_msgs": preamble + self._render_list(self.stash["current_msgs"], vars_),
            "prev_msgs": None if post else self._render_list(self.stash.get("prev_msgs", []), vars_),
        }

    def _persist(self) -> None:
        state = json.dumps([self.stash, self.responses, self.session.questionnaire_id], sort_keys=True)
        if state == self._snapshot:
            return
        self.session.stash = self.stash
        self.session.responses = self.responses
        if self.stash.get("is_finished") and self.session.finished_at is None:
            self.session.finished_at = clock.now()
        meta = getattr(type(self.session), "_meta", None)
        # Only what the engine changes: the row's other columns are not rewritten on every answer.
        self.session.save(only=[meta.fields[n] for n in PERSISTED] if meta else None)
        self._snapshot = state

    # -- §9.4: one answer ---------------------------------------------------------------------------------------------
    def answer(self, params: dict) -> dict:
        if self.stash.get("is_finished"):
            return self._output(True, [])
        errors, target = [], None
        for msg in reversed(self.stash.get("current_msgs", [])):
            if not msg.get("_visible") or "ref" not in msg:
                continue
            if msg["ref"] in params:
                target = msg
                break
            errors.append(f"Campo {msg['ref']} nao foi enviado")
        if target is not None:
            errors = []
            problem = self._record(target, str(params[target["ref"]]))
            if problem:
                errors.append(problem)
        return self.load(post=True, preamble=[_error(e) for e in errors])

    def _record(self, msg: dict, value: str) -> str | None:
        if msg.get("_retry"):
            questionnaire = self.session.questionnaire
            extra = {k: self.stash[k] for k in ("is_mf", "mf_control_id", "redo_addr") if k in self.stash}
            self.stash = initial_stash(questionnaire, extra)
            return None
        kind, ref, code = msg["type"], msg["ref"], msg.get("_code")
        if kind in ("yesno", "yesnomaybe"):
            allowed = ("Y", "N") if kind == "yesno" else ("Y", "N", "M")
            if value not in allowed:
                return f"Campo {ref} deve ser Y ou N" if kind == "yesno" else f"Campo {ref} deve ser M, Y ou N"
            sub = msg.get("_sub")
            if sub:
                total = self.responses.get(sub["code"], 0)
                try:
                    total = int(total or 0)
                except (TypeError, ValueError):
                    return f"Configuração do grupo {sub['code']} inválida: resposta anterior não numérica"
                if value == "Y":
                    total += sub["p2a"]
                self.responses[sub["ref"]] = value
                self.responses[sub["code"]] = total
                self.responses[f"{sub['code']}_{sub['p2a']}"] = value
            else:
                self.responses[code] = value
            msg["display_response"] = YES_NO[value]
        elif kind == "text":
            if msg.get("_cep"):
                problem = self._record_cep(code, value)
                if problem:
                    return problem
                msg["display_response"] = value
            else:
                self.responses[code] = value
                msg["display_response"] = value
        elif kind == "multiplechoices":
            if len(value) > 6000 or not _MC_RE.match(value):
                return f"Campo {ref} deve uma lista de números"
            options, values = msg.get("options") or [], msg.get("_values") or []
            chosen = sorted({int(i) for i in value.split(",") if int(i) < len(options)})
            self.responses[code] = "[" + ",".join(str(i) for i in chosen) + "]"
            self.responses[f"{code}_json"] = json.dumps([values[i] for i in chosen], ensure_ascii=False,
                                                        separators=(",", ":"))
            msg["display_response"] = ", ".join(options[i]["display"] for i in chosen)
            if msg.get("_skillset") and self.user is not None:
                from penhas_api.core.services.profile import set_skills

                set_skills(self.user, [values[i] for i in chosen])
        elif kind == "onlychoice":
            options, values = msg.get("options") or [], msg.get("_values") or []
            if not _OC_RE.match(value) or int(value) >= len(options):
                return f"Campo {ref} deve um número"
            self.responses[code] = values[int(value)]
            msg["display_response"] = options[int(value)]["display"]
        elif kind == "button":
            self.responses[code] = value
            self.responses[f"{code}_action"] = msg.get("action")
            msg["display_response"] = msg.get("label")
            if msg.get("action") == "botao_tela_modo_camuflado" and self.user is not None:
                self._camouflage(value == "1")
            if self.stash.get("is_eof") or msg.get("_end_chat"):
                self._finish()
                self._on_finished()
        else:
            return f"tipo {kind} não foi programado!"
        self._after_answer(msg, value)
        return None

    def _camouflage(self, active: bool) -> None:
        now = clock.now()
        Cliente.update(modo_camuflado_ativo=active, modo_camuflado_atualizado_em=now, modo_anonimo_ativo=True,
                       modo_anonimo_atualizado_em=now, quiz_detectou_violencia=True,
                       quiz_detectou_violencia_atualizado_em=now).where(Cliente.id == self.user.id).execute()
        self.user.modo_camuflado_ativo, self.user.modo_anonimo_ativo = active, True
        self.user.quiz_detectou_violencia = True
        self.user.quiz_detectou_violencia_atualizado_em = now

    def _on_finished(self) -> None:
        if self.user is None:
            return
        user = Cliente.get_by_id(self.user.id)
        if user.primeiro_quiz_detectou_violencia is None and user.quiz_detectou_violencia is not None:
            Cliente.update(primeiro_quiz_detectou_violencia=user.quiz_detectou_violencia,
                           primeiro_quiz_detectou_violencia_atualizado_em=user.quiz_detectou_violencia_atualizado_em
                           ).where(Cliente.id == user.id).execute()
        if self.is_mf and not self.redo:
            mf_state.mark_completed(self.user.id, self.session.questionnaire_id)
            mf_state.complete(self.user.id)

    def _after_answer(self, msg: dict, value: str) -> None:
        if self.user is not None:
            self._side_effects(msg)
            tags = msg.get("_tags") or []
            if ("SIM_LIMPA_MF" in tags and value == "Y") or ("NAO_LIMPA_MF" in tags and value == "N"):
                mf_tasks.remove_tasks(self.user.id)
        current = self.stash.get("current_msgs", [])
        self.stash.setdefault("prev_msgs", []).extend(m for m in current if m.get("_visible"))
        self.stash["current_msgs"] = [m for m in current if not m.get("_visible")]

    # -- CEP lookup question ---------------------------------------------------------------------------------------
    def _record_cep(self, code: str, value: str) -> str | None:
        from penhas_api.core.services import quiz_cep

        result = quiz_cep.lookup(value)
        if isinstance(result, str):
            return result
        cep = result.pop("cep")
        self.responses.update(result)
        self.responses[code] = cep
        return None
