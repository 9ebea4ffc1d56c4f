"""Where a search is centred: geocoded addresses and CEPs, and the opaque location tokens the app passes back.

A location carries the IBGE municipality code when it is known (a CEP resolved through ViaCEP). We have no
municipality polygon layer, so that code is how "Regional" support centers find the people they serve.
"""
import re
from dataclasses import asdict, dataclass

from penhas_api.core import cursors
from penhas_api.core.adapters import cep as cep_adapter
from penhas_api.core.adapters.geocoder import GeocoderUnavailable, get_geocoder
from penhas_api.core.errors import PenhasError, form_error

TOKEN_PURPOSE = "LT"
_CEP_RE = re.compile(r"^\s*(\d{5})-?(\d{3})\s*$")


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    label: str | None = None
    ibge: int | None = None


def location_not_found():
    return PenhasError("location_not_found", "Localização não encontrada!", 400, field="address", reason="invalid")


def geocode_address(address: str) -> Location | None:
    """Any address (a CEP goes through ViaCEP first). None when not found; GeocoderUnavailable when unknown for now."""
    m = _CEP_RE.match(address or "")
    if m:
        return geocode_cep(m.group(1) + m.group(2))
    result = get_geocoder().geocode(address)
    return Location(result.latitude, result.longitude, result.label) if result else None


def geocode_cep(cep: str) -> Location | None:
    """A CEP's street through ViaCEP, then the geocoder; the whole answer is cached under the CEP."""
    digits = cep_adapter.clean_cep(cep)
    if digits is None:
        return None
    geocoder = get_geocoder()

    def compute():
        address = cep_adapter.lookup(digits)
        return _locate(address, digits)

    try:
        value = geocoder.lookup(f"cep:{digits}", compute)
    except cep_adapter.CepUnavailable:
        # ViaCEP is down: answer from the CEP alone, and keep this poorer answer out of the CEP cache.
        value = _locate(None, digits)
    return Location(**value) if value else None


def _locate(address, digits: str) -> dict | None:
    geocoder = get_geocoder()
    result = geocoder.geocode(address.search_text()) if address else None
    if result is None:
        result = geocoder.geocode(f"{cep_adapter.format_cep(digits)} brasil")
    if result is None:
        return None
    return asdict(Location(result.latitude, result.longitude, result.label, address.ibge if address else None))


def location_token(location: Location) -> str:
    return cursors.issue(TOKEN_PURPOSE, {"lat": location.latitude, "lng": location.longitude, "ibge": location.ibge})


def read_location_token(token: str) -> Location:
    data = cursors.read(TOKEN_PURPOSE, token, field="location_token")
    try:
        return Location(float(data["lat"]), float(data["lng"]), None, data.get("ibge"))
    except (TypeError, KeyError, ValueError):
        raise form_error("location_token") from None


def geocode_for_app(address: str) -> dict:
    """GET /geocode and /me/geocode: ``{"label", "location_token"}`` or the contract's ``location_not_found``."""
    try:
        location = geocode_address(address)
    except GeocoderUnavailable:
        location = None
    if location is None:
        raise location_not_found()
    return {"label": location.label, "location_token": location_token(location)}



def account_location(cep: str | None, cep_ibge: str | None) -> Location:
    """Where a logged-in search without GPS or token is centred: her account's CEP (contract's no-cep / no-gps)."""
    digits = cep_adapter.clean_cep(cep)
    if digits is None:
        raise PenhasError("no-cep", "CEP da conta não é válido!", 400)
    try:
        location = geocode_cep(digits)
    except GeocoderUnavailable:
        location = None
    if location is None:
        raise PenhasError("no-gps", f"Não foi possível encontrar sua localização através do CEP "
                                    f"{cep_adapter.format_cep(digits)}, tente novamente mais tarde ou ative a "
                                    f"localização", 400)
    if location.ibge is None:
        location = Location(location.latitude, location.longitude, location.label, account_municipality(cep_ibge))
    return location


def account_municipality(cep_ibge: str | None) -> int | None:
    """Her account's municipality: the IBGE code ViaCEP gave for her CEP (job ``cliente_update_cep``). It stands in
    for the municipality of a point we cannot place (GPS), as the original fell back to her CEP (backend-rules §6.1)."""
    return int(cep_ibge) if cep_ibge and str(cep_ibge).isdigit() else None
