"""Which app modules an account may use (GET /me ``modules``; backend-rules §2.3): the rule behind
``require_module`` and the profile's module list."""
from penhas_api.core.models import Cliente

FEMALE_MODULES = ("tweets", "chat_privado", "chat_suporte", "pontos_de_apoio", "modo_seguranca", "noticias")
OTHER_MODULES = ("chat_suporte", "pontos_de_apoio", "noticias")
# Modules this server implements. A module is advertised (GET /me) and allowed (require_module) only when it is
# both one she may use and served here: the app shows a tab for every advertised module, so advertising an
# unserved one (quiz, mf) gives her screens whose every call fails.
SERVED_MODULES = frozenset({"tweets", "pontos_de_apoio", "modo_seguranca", "noticias", "chat_privado",
                            "chat_suporte"})


def user_modules(user: Cliente) -> list[str]:
    eligible = FEMALE_MODULES if user.is_female else OTHER_MODULES
    return [code for code in eligible if code in SERVED_MODULES]
