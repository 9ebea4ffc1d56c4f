"""How a post's text is shown (backend-rules §7.4): HTML-escaped, line breaks kept, personal data masked for
every viewer but the author, links only in posts made as PenhaS.

Masking protects women who write their phone, e-mail or CPF in a public post: other readers see asterisks,
the author sees her own text.
"""
import html
import re

from penhas_api.core.cpf_digits import cpf_is_valid

# Brazilian area codes (DDD) in use.
DDDS = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43, 44, 45, 46,
     47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85,
     86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99])
UUID_MASK = "*******-****-****-****-************"

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_CPF = re.compile(r"(?<![\d.-])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\d])")
# +55 optional, the DDD with or without parentheses, then 8 digits (landline) or 9 starting with 9 (mobile).
_PHONE = re.compile(r"(?<![\w])(?:\+?55[\s.-]?)?\(?(\d{2})\)?[\s.-]?(9?\d{4})[\s.-]?(\d{4})(?![\d])")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)


def _stars(match: re.Match) -> str:
    return re.sub(r"\d", "*", match.group(0))


def _mask_phone(match: re.Match) -> str:
    text = match.group(0)
    if re.sub(r"\D", "", text).startswith("0800") or int(match.group(1)) not in DDDS:
        return text
    return _stars(match)


def _mask_cpf(match: re.Match) -> str:
    return _stars(match) if cpf_is_valid(re.sub(r"\D", "", match.group(0))) else match.group(0)


def mask_pii(text: str) -> str:
    """Phones with a Brazilian DDD (not 0800), e-mail addresses, valid CPFs and UUID-like strings."""
    text = _UUID.sub(UUID_MASK, text)
    text = _EMAIL.sub(lambda m: re.sub(r"\w", "*", m.group(0)), text)
    text = _CPF.sub(_mask_cpf, text)
    return _PHONE.sub(_mask_phone, text)


def _anchor(match: re.Match) -> str:
    # The URL was escaped with the rest of the text; unescape to rebuild a clean href, escape it again.
    raw = html.unescape(match.group(0)).rstrip(".,;:!?)")
    rest = html.unescape(match.group(0))[len(raw):]
    href = raw if raw.lower().startswith(("http://", "https://")) else "https://" + raw
    return (f'<a href="{html.escape(href, quote=True)}" target="_blank">{html.escape(raw)}</a>'
            f'{html.escape(rest)}')


def render_content(content: str, *, trusted_html: bool = False, mask: bool = True, linkify: bool = False) -> str:
    if trusted_html:
        return content
    text = mask_pii(content) if mask else content
    text = html.escape(text, quote=True)
    if linkify:
        text = _URL.sub(_anchor, text)
    text = text.replace("\r\n", "\n").replace("\n", " <br/> ")
    return text.replace("  ", " &nbsp;&nbsp; ")
