import pytest

from penhas_api.core.errors import PenhasError
from penhas_api.params import Field, cpf_is_valid, validate


def _err(spec, params):
    with pytest.raises(PenhasError) as exc:
        validate(spec, params)
    return exc.value


def test_length_is_checked_before_required_and_type():
    e = _err({"n": Field(type="int", required=True, max_length=3)}, {"n": "abcd"})
    assert (e.field, e.reason) == ("n", "invalid_max_length")
    assert e.message == "Campos não foram preenchidos corretamente (n) máximo: 3 enviado: 4"


def test_min_length_message():
    e = _err({"s": Field(min_length=8)}, {"s": "abc"})
    assert e.reason == "invalid_min_length"
    assert e.message.endswith("mínimo: 8 enviado: 3")


def test_missing_required_then_empty_then_type():
    assert _err({"a": Field(required=True)}, {}).reason == "is_required"
    # An empty value is refused even for optional fields...
    assert _err({"a": Field()}, {"a": ""}).reason == "is_required"
    # ...unless empty is declared valid: empty Int becomes None, empty Str stays ''.
    assert validate({"a": Field(type="int", empty_is_valid=True), "b": Field(empty_is_valid=True)},
                    {"a": "", "b": ""}) == {"a": None, "b": ""}
    e = _err({"a": Field(type="int")}, {"a": "1.5"})
    assert (e.reason, e.error, e.status) == ("invalid", "form_error", 400)
    assert e.message == "Campos não foram preenchidos corretamente (a)"


def test_absent_optional_field_is_skipped():
    assert validate({"a": Field(type="int")}, {}) == {}


@pytest.mark.parametrize("value,ok", [
    ("52998224725", True), ("11111111111", False), ("529.982.247-25", False), ("52998224724", False)])
def test_cpf_check_digits(value, ok):
    assert cpf_is_valid(value) is ok


@pytest.mark.parametrize("kind,value,ok", [
    ("bool", "1", True), ("bool", "true", False), ("cep", "01310-100", True), ("cep", "123", False),
    ("email", "a@b.com", True), ("email", "nope", False), ("date", "2020-02-30", False),
    ("latitude", "-23.55", True), ("latitude", "-23", False), ("latitude", "90", True),
    ("longitude", "-46.63", True), ("longitude", "181.0", False), ("nome", "Maria Silva", True),
    ("nome", "Maria2 Silva", False), ("nome", "Maria", False), ("tweet_id", "200528T2055380001", True),
    ("int_list", "1,2,3", True), ("int_list", "1,,2", False), ("genero", "MulherTrans", True),
])
def test_types(kind, value, ok):
    if ok:
        validate({"v": Field(type=kind)}, {"v": value})
    else:
        assert _err({"v": Field(type=kind)}, {"v": value}).reason == "invalid"
