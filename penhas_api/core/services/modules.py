"""Which app modules an account may use (GET /me ``modules``; backend-rules §2.3): the rule behind
``require_module`` and the profile's module list."""
from penhas_api.core.models import Cliente
from penhas_api.core.settings import get_settings

FEMALE_MODULES = ("tweets", "chat_privado", "chat_suporte", "pontos_de_apoio", "modo_seguranca", "noticias")
OTHER_MODULES = ("chat_suporte", "pontos_de_apoio", "noticias")


def user_modules(user: Cliente) -> list[str]:
    if not user.is_female:
        return list(OTHER_MODULES)
    # `mf`: the Manual de Fuga tab.
    return list(FEMALE_MODULES) + (["mf"] if get_settings().enable_manual_fuga else [])
