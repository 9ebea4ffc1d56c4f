"""The CEP lookup question (backend-rules §9.4): the nearest support centers to a CEP, as chat lines.

Uses the same CEP → address → coordinates path as the centers search (``locations.geocode_cep``: ViaCEP, then the
geocoder, cached) and the same search (``centers.search_centers``). Returns a pt-BR error text for the chat, or
the answers to store.
"""
import json
import re

from penhas_api.core.adapters.geocoder import GeocoderUnavailable
from penhas_api.core.models import Center, CenterCategory
from penhas_api.core.services import centers, locations

HELP = 'Digite outro CEP no formato 00000-000 ou use o botão "Sair" para encerrar a conversa.'
RADIUS_KM = 50
MAX_RESULTS = 3


def _line(center: Center) -> str:
    text = f"{center.nome} {center.categoria.label}"
    if center.ddd and center.telefone1:
        text += f" telefone +55{center.ddd}{center.telefone1}"
        if center.telefone2:
            text += f" e +55{center.ddd}{center.telefone2}"
    if center.nome_logradouro:
        number = f", {center.numero}" if center.numero else " sem número"
        text += f" localizado na {center.tipo_logradouro} {center.nome_logradouro}{number}"
    return text


def lookup(value: str) -> str | dict:
    digits = re.sub(r"\D", "", value or "")
    if not digits:
        return f"Não encontrei os dígitos para buscar o CEP! {HELP}"
    if len(digits) < 8:
        return f"Não encontrei dígitos suficiente para começar uma buscar pelo CEP! {HELP}"
    if len(digits) > 8:
        return f"Encontrei dígitos demais para buscar o CEP! {HELP}"
    formatted = f"{digits[:5]}-{digits[5:]}"
    try:
        place = locations.geocode_cep(digits)
    except GeocoderUnavailable:
        return f"Não consegui buscar o CEP {formatted} agora. Tente de novo em alguns minutos. {HELP}"
    if place is None:
        return f"Não encontrei a rua do CEP {formatted}! O CEP precisa estar localizado no Brasil."
    label = place.label or f"a latitude {place.latitude} e longitude {place.longitude}"
    found = centers.search_centers(centers.Search(latitude=place.latitude, longitude=place.longitude,
                                                  max_distance=RADIUS_KM, rows=MAX_RESULTS)).hits[:MAX_RESULTS]
    if not found:
        return (f"Não encontrei serviço de atendimento num raio de {RADIUS_KM} km de {label}! "
                'Digite outro cep ou "Sair" para acabar a conversa')
    rows = {c.id: c for c in Center.select(Center, CenterCategory).join(CenterCategory)
            .where(Center.id.in_([h["id"] for h in found]))}
    lines = [_line(rows[h["id"]]) for h in found if h["id"] in rows]
    return {"cep": digits, "human_address": label, "latlng": f"{place.latitude},{place.longitude}",
            "cep_results": json.dumps(lines, ensure_ascii=False)}
