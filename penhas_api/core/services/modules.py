"""Which app modules an account may use (GET /me ``modules``; backend-rules §2.3): the rule behind
``require_module`` and the profile's module list."""
from penhas_api.core.models import Cliente

FEMALE_MODULES = ("tweets", "chat_privado", "chat_suporte", "pontos_de_apoio", "modo_seguranca", "noticias")
OTHER_MODULES = ("chat_suporte", "pontos_de_apoio", "noticias")


def user_modules(user: Cliente) -> list[str]:
    return list(FEMALE_MODULES if user.is_female else OTHER_MODULES)
