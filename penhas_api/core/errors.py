"""The one error type. Services raise it; the API renders it as the contract's JSON body and the CLI prints it."""

DEFAULT_MESSAGE = "Campos não foram preenchidos corretamente"


class PenhasError(Exception):
    def __init__(self, error: str, message: str = DEFAULT_MESSAGE, status: int = 400,
                 field: str | None = None, reason: str | None = None, extra: dict | None = None,
                 operator_message: str | None = None):
        super().__init__(message)
        self.error = error
        self.message = message
        # English, for the operator at the CLI ("suggestion 99 not found"); `message` is the app's pt-BR text.
        self.operator_message = operator_message
        self.status = status
        self.field = field
        self.reason = reason
        self.extra = extra or {}

    def body(self) -> dict:
        # The app parses every key as a string: never emit another JSON type here.
        out = {"error": str(self.error), "message": str(self.message)}
        if self.field is not None:
            out["field"] = str(self.field)
        if self.reason is not None:
            out["reason"] = str(self.reason)
        for key, value in self.extra.items():
            out[key] = value
        return out


def form_error(field: str, reason: str = "invalid", message: str | None = None, error: str = "form_error"):
    return PenhasError(error, message or f"{DEFAULT_MESSAGE} ({field})", 400, field=field, reason=reason)


def not_found():
    return PenhasError("Page not found", "Página ou item não existe", 404)


def item_not_found(what: str | None = None):
    """``what`` names the item for the operator, e.g. "suggestion 99"."""
    return PenhasError("item_not_found",
                       "O objeto requisitado não existe ou você não tem permissão para acessa-lo.", 404,
                       operator_message=f"{what} not found" if what else None)


def permission_denied():
    return PenhasError("permission_denied", "Você não tem a permissão para este recurso.", 403)


def too_many_requests():
    return PenhasError("too_many_requests",
                       "Você fez muitos acessos recentemente. Aguarde um minuto e tente novamente.", 429)


def missing_module(module: str):
    return PenhasError("missing_module", f"Você não tem acesso ao modulo {module}", 400)


def internal_error():
    return PenhasError("Internal server error", "Erro interno", 500)
