"""The audio rules in numbers and words (backend-rules §5.2–5.4): statuses, time and size limits, the
contract's messages and errors, and event ids."""
import re
from datetime import datetime, timedelta, timezone

from penhas_api.core.errors import PenhasError, form_error


FREE = "free_access"
BLOCKED = "blocked_access"
GRANTED = "free_access_by_admin"
HIDDEN = "hidden"
PURGED = "delete_from_s3"
LISTED = (FREE, BLOCKED, GRANTED)
DOWNLOADABLE = (FREE, GRANTED)

FREE_ACCESS_DAYS = 3
HIDDEN_AFTER_DAYS = 30
GRANTED_HIDDEN_AFTER_DAYS = 40
PURGE_AFTER_YEARS = 5
# Far longer than any upload takes between saving its media_upload row and its segment row.
UNLINKED_MEDIA_GRACE = timedelta(hours=24)

MIN_BYTES = 3
MAX_BYTES = 35_000_000
EXTENSIONS = ("aac", "m4a", "mp4")
CLOCK_SKEW_TOLERANCE = timedelta(seconds=10)
MAX_SEQUENCE = 1000
LIST_LIMIT = 500
STORAGE_PREFIX = "audio/"
INTENTION = "guardiao"


_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


LIST_NOTICE = (" Gravações com mais de 30 dias não ficam mais visíveis para você, mas permanecem armazenadas em nossos"
               " servidores por até cinco anos. Caso queira os arquivos, solicite através do e-mail"
               " penhas@azmina.com.br.")
REQUEST_ACCESS_MESSAGE = ("A administração do PenhaS vai avaliar seu pedido. Retorne a esta seção em 48h. Caso não haja"
                          " mudança no status, envie um e-mail para contato@penhas.com.br")
UPLOAD_MESSAGE = "Áudio recebido com sucesso!"


def upload_blocked():
    return PenhasError("upload_blocked", "Upload está bloqueado para sua conta", 400)


def media_missing():
    return PenhasError("media_missing", "Upload não foi enviado", 400, field="media", reason="is_required")


def media_invalid_size():
    return PenhasError("media_invalid_size", "Upload precisa ter mais do que 2 bytes", 400, field="media",
                       reason="invalid")


def media_too_big():
    return PenhasError("media_too_big", "Arquivo muito grande, precisa ser menor que 35 Megabytes", 400,
                       field="media", reason="invalid")


def unsupported_type():
    return PenhasError("unsupported_media_type", "Tipo de arquivo não é suportado.", 400, field="media",
                       reason="invalid")


def unsupported_audio():
    return PenhasError("unsupported_media_type", "O arquivo de áudio está corrompido ou não é suportado.", 400,
                       field="media", reason="invalid")


def sha1_mismatch():
    # The app retries any non-2xx, so a copy cut short in transit is simply sent again.
    return PenhasError("sha1_mismatch", "O arquivo chegou incompleto ou corrompido e será reenviado.", 400,
                       field="sha1", reason="invalid")


def audio_tools_missing():
    return PenhasError("audio_tools_missing",
                       "O servidor não consegue processar áudios neste momento. Tente novamente mais tarde.", 503)


def audio_blocked():
    return PenhasError("audio_blocked_access",
                       "Você não pode fazer o download deste evento. Entre em contato com o administrador.", 400)


def audio_file_missing():
    return PenhasError("audio_file_not_exists", "Não foi possível ler o arquivo de áudio. Tente novamente.", 500)


def parse_event_uuid(value: str, field: str = "event_id") -> str:
    value = (value or "").strip().lower()
    if not _UUID4.fullmatch(value):
        raise form_error(field, "invalid")
    return value


def event_key(cliente_id: int, event_uuid: str) -> str:
    return f"{cliente_id}:{event_uuid}"


def utc_naive(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)
