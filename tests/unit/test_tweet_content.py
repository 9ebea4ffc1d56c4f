"""Rendering of post text (backend-rules §7.4): escaping, line breaks, PII masking with near-misses, links."""
import pytest

from penhas_api.core.services.tweet_content import UUID_MASK, mask_pii, render_content


@pytest.mark.parametrize("text,masked", [
    ("(11) 98765-4321", "(**) *****-****"),
    ("11987654321", "***********"),
    ("+55 21 99876-5432", "+** ** *****-****"),
    ("liga 61 3456-7890 hoje", "liga ** ****-**** hoje"),
    ("(85)3456.7890", "(**)****.****"),
    ("maria.silva+x@example.com.br", "*****.*****+*@*******.***.**"),
    ("cpf 529.982.247-25", "cpf ***.***.***-**"),
    ("52998224725", "***********"),
    ("id 123e4567-e89b-42d3-a456-426614174000!", f"id {UUID_MASK}!"),
])
def test_masks(text, masked):
    assert mask_pii(text) == masked


@pytest.mark.parametrize("text", [
    "0800 123 4567",                 # toll-free numbers stay
    "0800-722-8888",
    "(20) 98765-4321",               # 20 is not a DDD
    "(10) 3456-7890",
    "3456-7890",                     # no area code: not enough to reach her
    "529.982.247-26",                # invalid CPF check digits
    "111.111.111-11",                # repeated digits are not a CPF
    "em 2024-05-19 às 10:30",
    "R$ 1.234.567,89",
    "maria arroba example.com",
    "123e4567-e89b-42d3-a456",       # not a full UUID
    "nota 10, 9 e 8",
])
def test_near_misses_are_kept(text):
    assert mask_pii(text) == text


def test_render_escapes_breaks_lines_and_keeps_double_spaces():
    assert render_content('<script>"x"</script>\r\nfim  ok', mask=False) == \
        "&lt;script&gt;&quot;x&quot;&lt;/script&gt; <br/> fim &nbsp;&nbsp; ok"


def test_masking_happens_before_escaping():
    assert render_content("<a>a@b.com</a>") == "&lt;a&gt;*@*.***&lt;/a&gt;"


def test_trusted_html_is_kept_verbatim():
    assert render_content("<b>PenhaS</b>\n", trusted_html=True) == "<b>PenhaS</b>\n"


def test_links_only_when_asked_and_only_http():
    text = "veja https://penhas.com.br/a?b=1&c=2, www.x.org e javascript:alert(1)"
    out = render_content(text, mask=False, linkify=True)
    assert '<a href="https://penhas.com.br/a?b=1&amp;c=2" target="_blank">https://penhas.com.br/a?b=1&amp;c=2</a>,' \
        in out
    assert '<a href="https://www.x.org" target="_blank">www.x.org</a>' in out
    assert "javascript:alert(1)" in out and 'href="javascript' not in out
    assert "<a" not in render_content(text, mask=False)
    quoted = render_content('www.x.org"onmouseover="alert(1)', mask=False, linkify=True)
    assert '"onmouseover' not in quoted
