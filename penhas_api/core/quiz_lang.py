"""The template/condition language of questionnaire content (backend-rules §9.1), parsed and interpreted here.

Content is a Template-Toolkit-style template: literal text with ``[% ... %]`` tags. A tag holds an expression
(its value is printed), ``IF expr`` / ``ELSIF expr`` / ``ELSE`` / ``END``. Expressions: single- or double-quoted
strings, integers, variables with ``.`` attribute access (``cliente.nome_completo``), ``x.defined()``, ``==``,
``!=``, ``&&``/``and``, ``||``/``or``, ``!``/``not``, parentheses, and the functions ``is_json_member`` and
``json_array_to_string``. Anything else is a ``TemplateError`` raised while parsing, so a content problem is found
when a questionnaire is compiled or validated, never while a user answers.

Values follow the original's Perl semantics: undefined is ``None``; ``''``, ``'0'``, ``0`` and undefined are false;
``&&``/``||`` return an operand; ``==`` compares as strings (undefined equals only undefined). Output is never
HTML-escaped. Parsing is bounded (text length, tokens, nesting) and nothing here ever reaches ``eval``.
"""
import json
import re
from functools import lru_cache

MAX_TEMPLATE_CHARS = 20000
MAX_TOKENS = 2000
MAX_DEPTH = 40


class TemplateError(Exception):
    """Malformed content: the message names what is wrong (shown to the operator, never to the user)."""


# -- lexer -------------------------------------------------------------------------------------------------------
_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<num>\d+)
  | (?P<op>==|!=|&&|\|\||[!().,])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)
# `not` binds loosely (`not a == b` is `not (a == b)`), `!` tightly (`!a == b` is `(!a) == b`), as in Perl.
_KEYWORDS = {"and": "&&", "or": "||", "not": "not"}
_ESCAPES = {"n": "\n", "t": "\t"}


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _tokens(expr: str) -> list[tuple[str, object]]:
    out, pos = [], 0
    while pos < len(expr):
        m = _TOKEN_RE.match(expr, pos)
        if not m:
            raise TemplateError(f"caractere inesperado {expr[pos]!r} na expressão")
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        text = m.group()
        if kind == "str":
            out.append(("str", _unquote(text)))
        elif kind == "num":
            out.append(("str", text))
        elif kind == "name" and text in _KEYWORDS:
            out.append(("op", _KEYWORDS[text]))
        else:
            out.append((kind, text))
        if len(out) > MAX_TOKENS:
            raise TemplateError("expressão longa demais")
    return out


# -- expression parser (recursive descent → tuples) ----------------------------------------------------------------
# AST nodes: ("lit", str) ("var", name, (attr, ...)) ("defined", node) ("not", node) ("and", a, b) ("or", a, b)
# ("eq", a, b) ("ne", a, b) ("call", fname, (args...))
FUNCTIONS = {"is_json_member": (2, 2), "json_array_to_string": (1, 3)}


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i, self.depth = tokens, 0, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            want = value or kind or "algo"
            raise TemplateError(f"esperava {want!r}, encontrei {tok[1]!r}")
        self.i += 1
        return tok

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TemplateError("expressão aninhada demais")

    def parse(self):
        if not self.tokens:
            raise TemplateError("expressão vazia")
        node = self.or_expr()
        if self.i != len(self.tokens):
            raise TemplateError(f"sobrou {self.peek()[1]!r} no fim da expressão")
        return node

    def or_expr(self):
        node = self.and_expr()
        while self.peek() == ("op", "||"):
            self.i += 1
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.peek() == ("op", "&&"):
            self.i += 1
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self):
        if self.peek() == ("op", "not"):
            self.i += 1
            self.enter()
            node = ("not", self.not_expr())
            self.depth -= 1
            return node
        return self.compare()

    def compare(self):
        node = self.unary()
        tok = self.peek()
        if tok in (("op", "=="), ("op", "!=")):
            self.i += 1
            node = ("eq" if tok[1] == "==" else "ne", node, self.unary())
            if self.peek() in (("op", "=="), ("op", "!=")):
                raise TemplateError("comparações encadeadas precisam de parênteses")
        return node

    def unary(self):
        if self.peek() == ("op", "!"):
            self.i += 1
            self.enter()
            node = ("not", self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self):
        kind, value = self.peek()
        if kind == "str":
            self.i += 1
            return self.postfix(("lit", value))
        if (kind, value) == ("op", "("):
            self.i += 1
            self.enter()
            node = self.or_expr()
            self.depth -= 1
            self.take("op", ")")
            return self.postfix(node)
        if kind == "name":
            self.i += 1
            if self.peek() == ("op", "("):
                return self.postfix(self.call(value))
            return self.postfix(("var", value, ()))
        raise TemplateError(f"esperava um valor, encontrei {value!r}" if kind else "expressão incompleta")

    def call(self, name):
        if name not in FUNCTIONS:
            raise TemplateError(f"função desconhecida {name!r}")
        self.take("op", "(")
        args = []
        if self.peek() != ("op", ")"):
            self.enter()
            args.append(self.or_expr())
            while self.peek() == ("op", ","):
                self.i += 1
                args.append(self.or_expr())
            self.depth -= 1
        self.take("op", ")")
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise TemplateError(f"{name} recebe de {low} a {high} argumentos, não {len(args)}")
        return ("call", name, tuple(args))

    def postfix(self, node):
        while self.peek() == ("op", "."):
            self.i += 1
            _, attr = self.take("name")
            if self.peek() == ("op", "("):
                self.take("op", "(")
                self.take("op", ")")
                if attr != "defined":
                    raise TemplateError(f"método desconhecido {attr!r}")
                node = ("defined", node)
            elif node[0] == "var":
                node = ("var", node[1], node[2] + (attr,))
            else:
                raise TemplateError(f"atributo {attr!r} só vale sobre variáveis")
        return node


@lru_cache(maxsize=4096)
def parse_expression(expr: str):
    if len(expr) > MAX_TEMPLATE_CHARS:
        raise TemplateError("expressão longa demais")
    return _Parser(_tokens(expr)).parse()


# -- template parser ------------------------------------------------------------------------------------------------
# Template nodes: a tuple of parts; a part is a str (literal), ("out", expr) or ("if", ((cond, body), ...), else_body)
_TAG_RE = re.compile(r"\[%-?(.*?)-?%\]", re.DOTALL)
_DIRECTIVE_RE = re.compile(r"^(IF|ELSIF|ELSE|END)\b\s*(.*)$", re.DOTALL)


@lru_cache(maxsize=4096)
def parse_template(text: str):
    if text is None:
        return ()
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError("texto longo demais")
    if "[%" not in text:
        return (text,) if text else ()
    # Stack of open blocks: [branches, current_body, else_body or None]
    root: list = []
    stack: list = []
    body = root
    pos = 0
    for m in _TAG_RE.finditer(text):
        literal = text[pos:m.start()]
        if "[%" in literal:
            raise TemplateError("marcação [% %] sem fechamento")
        if literal:
            body.append(literal)
        pos = m.end()
        inner = m.group(1).strip()
        d = _DIRECTIVE_RE.match(inner)
        if not d:
            body.append(("out", parse_expression(inner)))
            continue
        word, rest = d.group(1), d.group(2).strip()
        if word == "IF":
            if len(stack) >= MAX_DEPTH:
                raise TemplateError("IF aninhado demais")
            block = {"branches": [(parse_expression(rest), [])], "else": None}
            stack.append(block)
            body.append(block)
            body = block["branches"][0][1]
            continue
        if not stack:
            raise TemplateError(f"{word} sem IF")
        block = stack[-1]
        if word == "ELSIF":
            if block["else"] is not None:
                raise TemplateError("ELSIF depois de ELSE")
            block["branches"].append((parse_expression(rest), []))
            body = block["branches"][-1][1]
        elif word == "ELSE":
            if rest:
                raise TemplateError("ELSE não leva expressão")
            if block["else"] is not None:
                raise TemplateError("ELSE repetido")
            block["else"] = []
            body = block["else"]
        else:
            if rest:
                raise TemplateError("END não leva expressão")
            stack.pop()
            body = _innermost(stack, root)
    tail = text[pos:]
    if "[%" in tail:
        raise TemplateError("marcação [% %] sem fechamento")
    if tail:
        body.append(tail)
    if stack:
        raise TemplateError("IF sem END")
    return _freeze(root)


def _innermost(stack, root):
    if not stack:
        return root
    block = stack[-1]
    return block["else"] if block["else"] is not None else block["branches"][-1][1]


def _freeze(parts):
    out = []
    for p in parts:
        if isinstance(p, dict):
            out.append(("if", tuple((c, _freeze(b)) for c, b in p["branches"]),
                        _freeze(p["else"]) if p["else"] is not None else ()))
        else:
            out.append(p)
    return tuple(out)


# -- interpreter ----------------------------------------------------------------------------------------------------
def truthy(value) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value not in ("", "0")
    return True


def to_text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _lookup(vars_: dict, name: str, attrs: tuple):
    value = vars_.get(name)
    for attr in attrs:
        value = value.get(attr) if isinstance(value, dict) else None
    return value


def _json_list(value):
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def is_json_member(member, array) -> int:
    items = _json_list(array)
    if items is None:
        return 0
    wanted = to_text(member)
    return 1 if any(to_text(i) == wanted for i in items) else 0


def json_array_to_string(array, extra=None, skip=None) -> str:
    items = [to_text(i) for i in (_json_list(array) or []) if truthy(i)]
    if truthy(extra):
        items.append(to_text(extra))
    if skip is not None:
        items = [i for i in items if i != to_text(skip)]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " e " + items[-1]


def evaluate(node, vars_: dict):
    op = node[0]
    if op == "lit":
        return node[1]
    if op == "var":
        return _lookup(vars_, node[1], node[2])
    if op == "and":
        left = evaluate(node[1], vars_)
        return evaluate(node[2], vars_) if truthy(left) else left
    if op == "or":
        left = evaluate(node[1], vars_)
        return left if truthy(left) else evaluate(node[2], vars_)
    if op == "not":
        return "" if truthy(evaluate(node[1], vars_)) else 1
    if op in ("eq", "ne"):
        a, b = evaluate(node[1], vars_), evaluate(node[2], vars_)
        same = (a is None and b is None) or (a is not None and b is not None and to_text(a) == to_text(b))
        return 1 if same == (op == "eq") else ""
    if op == "defined":
        return 1 if evaluate(node[1], vars_) is not None else ""
    if op == "call":
        args = [evaluate(a, vars_) for a in node[2]]
        return is_json_member(*args) if node[1] == "is_json_member" else json_array_to_string(*args)
    raise TemplateError(f"nó desconhecido {op!r}")


def _render_parts(parts, vars_: dict, out: list) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part[0] == "out":
            out.append(to_text(evaluate(part[1], vars_)))
        else:
            for cond, body in part[1]:
                if truthy(evaluate(cond, vars_)):
                    _render_parts(body, vars_, out)
                    break
            else:
                _render_parts(part[2], vars_, out)


def render(text: str | None, vars_: dict) -> str:
    """Render a content text (a parse error raises TemplateError)."""
    out: list = []
    _render_parts(parse_template(text or ""), vars_, out)
    return "".join(out)


def check_condition(expr: str) -> None:
    """Raise TemplateError unless ``expr`` is a well-formed condition."""
    if (expr or "").strip() not in ("", "1", "0"):
        parse_template(f"[% {expr} %]")


def condition(expr: str | None, vars_: dict) -> bool:
    """A condition is true unless ``[% expr %]`` renders '' or '0' (``'1'`` short-circuits)."""
    expr = (expr or "").strip()
    if expr == "1":
        return True
    if expr in ("", "0"):
        return False
    return render(f"[% {expr} %]", vars_) not in ("", "0")
