"""Static content of the WebView pages: FAQ, terms of use, privacy policy (backend-rules §2.7)."""
from dataclasses import dataclass, field

from penhas_api.core.errors import not_found
from penhas_api.core.ids import parse_id
from penhas_api.core.models import Configuracao, FaqCategory, FaqItem


@dataclass
class FaqSection:
    title: str
    items: list = field(default_factory=list)


def texts() -> Configuracao:
    row = Configuracao.select().order_by(Configuracao.id).first()
    if row is None:
        # Fixtures not loaded: an operator problem, not something to show as a crash.
        raise not_found()
    return row


def faq_sections(include_test: bool = False) -> list[FaqSection]:
    """Published items grouped by published category, ordered by category sort then item sort."""
    query = (FaqItem.select(FaqItem, FaqCategory).join(FaqCategory)
             .where(FaqItem.status == "published", FaqCategory.status == "published")
             .order_by(FaqCategory.sort, FaqCategory.id, FaqItem.sort, FaqItem.id))
    if not include_test:
        query = query.where(FaqCategory.is_test == False)  # noqa: E712
    sections: dict[int, FaqSection] = {}
    for item in query:
        sections.setdefault(item.category.id, FaqSection(item.category.title)).items.append(item)
    return list(sections.values())


def faq_item(faq_id: str) -> FaqItem:
    # Digits only, as the original; anything else is simply "not found".
    item_id = parse_id(faq_id)
    if item_id is None:
        raise not_found()
    item = (FaqItem.select(FaqItem, FaqCategory).join(FaqCategory)
            .where(FaqItem.id == item_id, FaqItem.status == "published", FaqCategory.status == "published")
            .first())
    if item is None:
        raise not_found()
    return item
