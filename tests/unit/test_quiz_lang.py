"""The content template/condition language (backend-rules §9.1): every operator and function, and a fuzz test."""
import pytest
from hypothesis import given, settings, strategies as st

from penhas_api.core.quiz_lang import (
    MAX_DEPTH, TemplateError, check_condition, condition, is_json_member, json_array_to_string, parse_template, render,
)

V = {"cliente": {"nome_completo": "Ana", "ja_completou_mf": True, "nada": None}, "a": "Y", "b": "N",
     "zero": "0", "empty": "", "arr": '["x","y"]', "notarr": '{"x":1}', "bad": "[", "refazer": "Y"}


@pytest.mark.parametrize("expr,expected", [
    ("a == 'Y'", True), ("a == 'N'", False), ("a != 'N'", True), ("a != 'Y'", False),
    ('a == "Y"', True),
    ("missing == other", True),  # undefined == undefined
    ("missing == ''", False), ("missing != 'x'", True),
    ("cliente.ja_completou_mf == '1'", True), ("cliente.ja_completou_mf==\\'1\\'", None),
    ("a == 'Y' && b == 'N'", True), ("a == 'Y' && b == 'Y'", False),
    ("a == 'N' || b == 'N'", True), ("a == 'N' || b == 'Y'", False),
    ("a == 'Y' and b == 'N'", True), ("a == 'N' or b == 'N'", True),
    ("!a", False), ("!missing", True), ("not missing", True), ("not a", False), ("!!a", True),
    ("not a == 'N'", True), ("!a == ''", True), ("a == !b", False),
    ("(a == 'N' || b == 'N') && a == 'Y'", True), ("a == 'N' || b == 'N' && a == 'N'", False),
    ("zero", False), ("empty", False), ("a", True), ("missing", False), ("'0'", False), ("1", True), ("0", False),
    ("a.defined()", True), ("missing.defined()", False), ("empty.defined()", True),
    ("cliente.nada.defined()", False), ("cliente.nome_completo.defined()", True), ("cliente.x.y.defined()", False),
    ("is_json_member('x', arr)", True), ("is_json_member('z', arr)", False), ("is_json_member('x', missing)", False),
    ("is_json_member('x', notarr)", False), ("is_json_member('x', bad)", False),
    ("is_json_member('z', arr) || is_json_member('y', arr)", True),
])
def test_conditions(expr, expected):
    if expected is None:
        with pytest.raises(TemplateError):
            condition(expr, V)
    else:
        assert condition(expr, V) is expected


def test_short_circuits_and_defaults():
    assert condition("1", {}) is True
    assert condition(" 1 ", {}) is True
    assert condition("0", {}) is False
    assert condition("", {}) is False
    assert condition(None, {}) is False


def test_and_or_return_operands_like_perl():
    assert render("[% a && b %]", V) == "N"
    assert render("[% empty && b %]", V) == ""
    assert render("[% empty || a %]", V) == "Y"
    assert render("[% a || b %]", V) == "Y"
    assert render("[% a == 'Y' %]|[% a == 'N' %]", V) == "1|"


def test_text_rendering():
    assert render("HELLO[% cliente.nome_completo %]!", V) == "HELLO Ana!".replace(" ", "")
    assert render("plain <b>text</b> & more", V) == "plain <b>text</b> & more"  # never HTML-escaped
    assert render("[% missing %]x", V) == "x"
    assert render("[% cliente.ja_completou_mf %]", V) == "1"
    assert render("", V) == ""
    assert render("100 %] literal", V) == "100 %] literal"
    assert render(None, V) == ""


def test_if_else_end_blocks():
    t = "Você deseja refazer? [%IF refazer=='Y'%]sim[%ELSE%]não[%END%]."
    assert render(t, V) == "Você deseja refazer? sim."
    assert render(t, {"refazer": "N"}) == "Você deseja refazer? não."
    assert render("[% IF a == 'N' %]1[% ELSIF b == 'N' %]2[% ELSE %]3[% END %]", V) == "2"
    assert render("[% IF missing %]1[% END %]z", V) == "z"
    assert render("[% IF a %][% IF b == 'Y' %]in[% ELSE %]out[% END %]![% END %]", V) == "out!"


def test_json_array_to_string():
    assert json_array_to_string('["you","it","skip"]', "me", "skip") == "you, it e me"
    assert render("[% json_array_to_string(r, 'me', 'skip') %]", {"r": '["you","it","skip"]'}) == "you, it e me"
    assert json_array_to_string('["a"]') == "a"
    assert json_array_to_string('["a","b"]') == "a e b"
    assert json_array_to_string('["a","",null,"0","b"]') == "a e b"
    assert json_array_to_string(None, "x") == "x"
    assert json_array_to_string("not json") == ""
    assert is_json_member(1, "[1,2]") == 1


@pytest.mark.parametrize("bad", [
    "[% a == %]", "[% == a %]", "[% a == 'x %]", "[% ( a %]", "[% a ) %]", "[% foo(a) %]", "[% a.upper() %]",
    "[% IF a %]x", "[% END %]", "[% ELSE %]", "[% IF a %]x[% ELSE %]y[% ELSE %]z[% END %]", "[% a $ b %]",
    "[% %]", "[% IF %]x[% END %]", "[% a == b == c %]", "[% is_json_member('x') %]", "unclosed [% a", "[% a %] and [% b",
    "[% IF a %][% ELSE %][% ELSIF b %][% END %]", "[% END a %]", "[% 'x'.y %]",
])
def test_malformed_is_a_template_error(bad):
    with pytest.raises(TemplateError):
        parse_template(bad)


def test_bounded_size_and_depth():
    with pytest.raises(TemplateError):
        parse_template("[% " + "(" * (MAX_DEPTH + 5) + "a" + ")" * (MAX_DEPTH + 5) + " %]")
    with pytest.raises(TemplateError):
        parse_template("[% " + "!" * (MAX_DEPTH + 5) + "a %]")
    with pytest.raises(TemplateError):
        parse_template("[% " + "not " * (MAX_DEPTH + 5) + "a %]")
    with pytest.raises(TemplateError):
        parse_template("x" * 20001)
    with pytest.raises(TemplateError):
        parse_template("[% " + " || ".join(["a"] * 1500) + " %]")
    with pytest.raises(TemplateError):
        parse_template("[% IF a %]" * (MAX_DEPTH + 1) + "[% END %]" * (MAX_DEPTH + 1))
    assert render("[% " + "(" * 10 + "a" + ")" * 10 + " %]", V) == "Y"


def test_check_condition():
    check_condition("B0_P0 == 'passos-para-fuga'")
    check_condition("1")
    with pytest.raises(TemplateError):
        check_condition("B0_P0 == ")


_ATOMS = st.sampled_from(["a", "b", "missing", "cliente.nome_completo", "'Y'", "'N'", "0", "1", "arr"])
_OPS = st.sampled_from(["==", "!=", "&&", "||", "and", "or"])


@st.composite
def _expressions(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        atom = draw(_ATOMS)
        return draw(st.sampled_from([atom, f"!{atom}", f"{atom}.defined()", f"is_json_member({atom}, arr)"]))
    left, right = draw(_expressions(depth + 1)), draw(_expressions(depth + 1))
    return f"({left} {draw(_OPS)} {right})"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[%] ()!=&|'\"abIFELSNDcO.,_0123456789\\-\n", max_size=80))
def test_fuzz_never_crashes(text):
    """Arbitrary input either renders to a string or raises TemplateError, nothing else."""
    try:
        out = render(text, V)
    except TemplateError:
        return
    assert isinstance(out, str)


@settings(max_examples=200, deadline=None)
@given(_expressions())
def test_fuzz_well_formed_expressions_always_evaluate(expr):
    assert condition(expr, V) in (True, False)
    assert isinstance(render(f"[% IF {expr} %]y[% ELSE %]n[% END %]", V), str)
