"""The MF profiling tags her answers set (backend-rules §1.7 ``mf_tag``/``cliente_tag``)."""
from penhas_api.core import clock
from penhas_api.core.models import ClienteMfTag, MfTag


def add_tags(cliente_id: int, codes: list[str]) -> int:
    codes = [c for c in dict.fromkeys(codes) if c]
    if not codes:
        return 0
    tags = list(MfTag.select(MfTag.id).where(MfTag.code.in_(codes)))
    have = {r.tag_id for r in ClienteMfTag.select(ClienteMfTag.tag).where(ClienteMfTag.cliente == cliente_id)}
    new = [{"cliente": cliente_id, "tag": t.id, "created_on": clock.now()} for t in tags if t.id not in have]
    if new:
        ClienteMfTag.insert_many(new).on_conflict_ignore().execute()
    return len(new)


def tag_codes(cliente_id: int) -> list[str]:
    return [t.code for t in MfTag.select(MfTag.code).join(ClienteMfTag).where(ClienteMfTag.cliente == cliente_id)
            .order_by(MfTag.code)]
