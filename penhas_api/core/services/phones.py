"""Phone numbers for SMS: parsed and classified with libphonenumber (backend-rules §4.1 steps 1–4)."""
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from penhas_api.core.errors import PenhasError

# Countries where the library tells mobile from fixed lines reliably: only MOBILE is accepted there.
STRICT_MOBILE_COUNTRIES = {55, 39, 351}
# Elsewhere a number is accepted unless it is known not to receive SMS.
NOT_SMS_TYPES = {
    PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.PAGER,
    PhoneNumberType.UAN, PhoneNumberType.VOICEMAIL, PhoneNumberType.SHARED_COST,
}


@dataclass(frozen=True)
class MobileNumber:
    e164: str
    national: str  # as the contract shows it: "(11) 91234-1234", or "+1 484-291-8467" abroad
    country_code: int


def parse_mobile(raw: str, allowed_country_codes=frozenset(), field: str = "celular") -> MobileNumber:
    """A mobile number from what the user typed: ``+`` means international, anything else Brazilian."""
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else "BR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PenhasError(
            "parser_error",
            "Não conseguimos decodificar o número enviado. Lembre-se de incluir o DDD para Brasil.\n"
            "Para números internacionais inicie com +código-do-país.",
            field=field, reason="invalid",
            operator_message="not a phone number: include the area code (DDD), or +country code for other countries")
    cc = number.country_code
    if allowed_country_codes and cc not in allowed_country_codes:
        from phonenumbers import geocoder

        region = phonenumbers.region_code_for_number(number) or ""
        area = geocoder.description_for_number(number, "pt")
        place = " ".join(p for p in (str(cc), region, area) if p)
        raise PenhasError("contry_not_allowed",
                          f"O pais ({place}) não está liberado para uso. Entre em contato com o suporte.",
                          field=field, reason="invalid", operator_message=f"country not allowed: {place}")
    kind = phonenumbers.number_type(number)
    is_mobile = kind == PhoneNumberType.MOBILE if cc in STRICT_MOBILE_COUNTRIES else kind not in NOT_SMS_TYPES
    if not is_mobile:
        raise PenhasError(
            "number_is_not_mobile",
            f"O número +{cc} {phonenumbers.national_significant_number(number)} não pode ser usado para envio "
            "de SMS. Use o número do celular do guardião.",
            field=field, reason="invalid",
            operator_message=f"+{cc} {phonenumbers.national_significant_number(number)} is not a mobile number")
    if cc == 55:
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    else:
        national = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return MobileNumber(phonenumbers.format_number(number, PhoneNumberFormat.E164), national, cc)
