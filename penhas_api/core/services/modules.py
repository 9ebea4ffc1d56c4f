"""Which app modules an account may use (GET /me ``modules``; backend-rules §2.3): the rule behind
``require_module`` and the profile's module list.

A module is advertised and allowed only when she may use it and this server serves it: the app shows a tab for
every advertised module, so advertising an unserved one (chat, quiz, mf) gives her screens whose calls all fail.
"""
from penhas_api.core.models import Cliente

FEMALE_MODULES = ("tweets", "chat_privado", "chat_suporte", "pontos_de_apoio", "modo_seguranca", "noticias")
OTHER_MODULES = ("chat_suporte", "pontos_de_apoio", "noticias")
# Add a module here when the feature behind it lands.
SERVED_MODULES = frozenset({"tweets", "pontos_de_apoio", "modo_seguranca", "noticias"})


def user_modules(user: Cliente) -> list[str]:
    return [code for code in (FEMALE_MODULES if user.is_female else OTHER_MODULES) if code in SERVED_MODULES]
