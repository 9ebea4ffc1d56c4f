"""Every peewee model, importable from one place (migrations drift test, deletion, backups)."""
from penhas_api.core.models.users import Cliente, ClienteSession  # noqa: F401
from penhas_api.core.models.logs import AuditLog, DeleteLog, EmailOutbox  # noqa: F401
from penhas_api.core.models.accounts import (  # noqa: F401
    Badge, ClientePreference, ClienteSkill, ClienteTag, Configuracao, CpfCache, CpfErro, LoginErro, LoginLog,
    Preference, ResetPassword, Skill)
from penhas_api.core.models.notifications import (  # noqa: F401
    ClienteAppNotification, NotificationLog, NotificationMessage)
from penhas_api.core.models.runs import BackupRun, PeriodicRun  # noqa: F401
from penhas_api.core.models.audio import ClienteAudio, ClienteAudioEvento, MediaUpload  # noqa: F401
from penhas_api.core.models.centers import (  # noqa: F401
    Center, CenterCategory, CenterProject, CenterProjectLink, CenterRating, CenterSuggestion, GeoCache, KeywordLog)
from penhas_api.core.models.guardians import (  # noqa: F401
    FaqGuardian, Guardian, PanicAlert, PoliceCall, SentSms)
from penhas_api.core.models.jobs import FailedJob  # noqa: F401
from penhas_api.core.models.content import FaqCategory, FaqItem  # noqa: F401


def all_models():
    from penhas_api.core.db import BaseModel

    seen, out, stack = set(), [], list(BaseModel.__subclasses__())
    while stack:
        model = stack.pop(0)
        if model not in seen:
            seen.add(model)
            out.append(model)
            stack.extend(model.__subclasses__())
    return out
