"""Phone numbers for SMS (backend-rules §4.1 steps 1–4)."""
import pytest

from penhas_api.core.errors import PenhasError
from penhas_api.core.services.phones import parse_mobile


@pytest.mark.parametrize("raw, e164, national", [
    ("11912341234", "+5511912341234", "(11) 91234-1234"),
    ("021 11 912341234", "+5511912341234", "(11) 91234-1234"),  # carrier code stripped
    ("(11) 91234-1234", "+5511912341234", "(11) 91234-1234"),
    ("+5511912341234", "+5511912341234", "(11) 91234-1234"),
    ("+14842918467", "+14842918467", "+1 484-291-8467"),  # US: fixed-or-mobile is accepted
    ("+393123456789", "+393123456789", "+39 312 345 6789"),
    ("+351912345678", "+351912345678", "+351 912 345 678"),
])
def test_mobile_numbers(raw, e164, national):
    number = parse_mobile(raw)
    assert (number.e164, number.national) == (e164, national)


@pytest.mark.parametrize("raw, error", [
    ("", "parser_error"), ("abc", "parser_error"), ("+3512", "parser_error"), ("11 9191-0101", "parser_error"),
    ("1133334444", "number_is_not_mobile"),  # São Paulo landline
    ("08006086236", "number_is_not_mobile"),  # toll free
    ("+390612345678", "number_is_not_mobile"),  # Rome landline
])
def test_numbers_that_cannot_get_sms(raw, error):
    with pytest.raises(PenhasError) as exc:
        parse_mobile(raw)
    assert (exc.value.error, exc.value.field) == (error, "celular")


def test_allowed_countries():
    assert parse_mobile("11912341234", frozenset({55})).country_code == 55
    with pytest.raises(PenhasError) as exc:
        parse_mobile("+14842918467", frozenset({55, 39}))
    assert exc.value.error == "contry_not_allowed"
