"""The support-center list's request rules (backend-rules §6): distance and rows bounds, and the page cursor.

The API and the CSV export build their ``centers.Search`` here, so a bound is written once whatever the door.
"""
from penhas_api.core import cursors
from penhas_api.core.errors import form_error
from penhas_api.core.services import center_cache, centers

PAGE_PURPOSE = "PA:NP"
MIN_ROWS, MAX_ROWS = 3, 5000


def build_search(form: dict) -> centers.Search:
    """A ``Search`` from validated parameters (``max_distance``, ``rows``, ``next_page``, filters)."""
    q = centers.Search(cache=center_cache.snapshot())
    if "max_distance" in form:
        if form["max_distance"] > centers.UNLIMITED_KM:
            raise form_error("max_distance", message="Distância precisa ser menor que 5000km")
        if form["max_distance"] < 1:
            raise form_error("max_distance", message="Distância precisa ser maior que 1km")
        q.max_distance = form["max_distance"]
    rows = form.get("rows")
    # Out of bounds falls back to the default, as the original did, instead of an error the app would not show.
    q.rows = rows if rows is not None and MIN_ROWS <= rows <= MAX_ROWS else centers.DEFAULT_ROWS
    if form.get("next_page"):
        offset = cursors.read(PAGE_PURPOSE, form["next_page"]).get("offset", 0)
        q.offset = offset if isinstance(offset, int) and offset >= 0 else 0
    q.categorias = form.get("categorias") or []
    if form.get("projeto"):
        label = form["projeto"].strip().lower()
        q.projeto_id = q.cache.get(("project", label), lambda: centers.find_project(label).id)
    q.keywords = form.get("keywords") or None
    q.eh_24h = form.get("eh_24h")
    q.dias_funcionamento = form.get("dias_funcionamento") or None
    q.full_list = bool(form.get("full_list"))
    return q


def next_page(q: centers.Search, result: centers.SearchResult) -> str | None:
    """The cursor of the page after this one; the list is public, so the cursor is bound to no account."""
    return cursors.issue(PAGE_PURPOSE, {"offset": q.offset + q.rows}) if result.has_more else None
