"""Audio recordings (mobile-contract §2.11): background upload, list, detail, delete, download, access request."""
from flask import Blueprint, Response, g, request

from penhas_api.auth import require_user
from penhas_api.core.services import audio as audio_service
from penhas_api.core.services import audio_pages
from penhas_api.declarations import declare
from penhas_api.params import Field, validate
from penhas_api.schemas import BOOL01, EMPTY, INT, NUMSTR, STR, SUCCESS_MESSAGE, arr, json, nullable, obj

bp = Blueprint("audio", __name__)

# The text fields of the upload's multipart body (mobile-contract §2.11.5), next to its `media` file part.
UPLOAD_FIELDS = {
    "cliente_created_at": Field("datetime", required=True, max_length=100, description="the segment's start"),
    "current_time": Field("datetime", required=True, max_length=100, description="the device's clock at enqueue"),
    "event_id": Field("str", required=True, max_length=36, description="UUID v4 of the recording session"),
    "event_sequence": Field("int", required=True, max_length=6, description="the segment's number, from 1"),
    "sha1": Field("str", max_length=40, description="hex SHA-1 of the file"),
}
EVENT_ID = {"event_id": Field("str", description="UUID v4 of the recording session")}
# A malformed event id is a form error on `event_id`; someone else's event is not found (as one that never was).
EVENT_ERRORS = {400: ("form_error",), 404: ("item_not_found",)}
AUDIO_ROW = obj({
    "data": obj({"event_id": STR, "audio_duration": STR, "audio_duration_secs?": NUMSTR,
                 "last_cliente_created_at": STR, "total_bytes": STR}),
    "meta": obj({"download_granted": BOOL01, "request_granted": BOOL01, "requested_by_user": BOOL01}),
})
SEGMENT = obj({"event_sequence": INT, "audio_duration": STR, "cliente_created_at": STR, "bytes": STR,
               "waveform": nullable(STR)})


@bp.post("/me/audios")
@require_user
@declare(
    "Upload one recorded segment (idempotent per event and sequence: the latest upload wins)", "audio",
    form=UPLOAD_FIELDS,
    files={"media": {"type": "string", "contentMediaType": "audio/aac", "description": "the AAC segment"}},
    ok=json(obj({"message": STR, "success": INT, "data": obj({"id": INT})})),
    errors={400: ("form_error", "upload_blocked", "media_missing", "media_invalid_size", "media_too_big",
                  "unsupported_media_type", "sha1_mismatch"),
            500: ("audio_file_not_exists",), 503: ("audio_tools_missing",)},
    links={"detail": ("audio.detail", {"event_id": "$request.body#/event_id"}),
           "download": ("audio.download", {"event_id": "$request.body#/event_id"}),
           "delete": ("audio.delete", {"event_id": "$request.body#/event_id"})},
)
def upload(params):
    media = request.files.get("media")
    audio = audio_service.upload_segment(
        g.user,
        event_uuid=audio_service.parse_event_uuid(params["event_id"]),
        event_sequence=params["event_sequence"],
        cliente_created_at=params["cliente_created_at"],
        current_time=params["current_time"],
        data=media.read() if media is not None else None,
        filename=(media.filename or "") if media is not None else "",
        sha1=params.get("sha1"),
    )
    return {"message": audio_service.UPLOAD_MESSAGE, "success": 1, "data": {"id": audio.id}}


@bp.get("/me/audios")
@require_user
@declare("Her recordings, newest first", "audio",
         query={"rows": Field("int", max_length=4, description="page size"),
                "next_page": Field("str", max_length=500, description="the previous page's next_page")},
         ok=json(obj({"message": STR, "rows": arr(AUDIO_ROW), "has_more?": BOOL01, "next_page?": nullable(STR)})))
def list_audios(v):
    page, next_page = audio_pages.list_page(g.user.id, v.get("rows"), v.get("next_page"))
    return {
        "message": audio_service.list_message(page.total),
        "rows": [_row(e) for e in page.events],
        "has_more": 1 if page.has_more else 0,
        "next_page": next_page,
    }


def _row(event):
    return {
        "data": {
            "event_id": event.uuid,
            "audio_duration": audio_service.format_duration(event.audio_duration),
            "audio_duration_secs": str(int(event.audio_duration)),
            "last_cliente_created_at": audio_service.iso(event.last_cliente_created_at),
            "total_bytes": audio_service.format_bytes(event.total_bytes),
        },
        "meta": {
            "download_granted": 1 if event.status in audio_service.DOWNLOADABLE else 0,
            "request_granted": 1 if event.status == audio_service.GRANTED else 0,
            "requested_by_user": 1 if event.requested_by_user else 0,
        },
    }


@bp.get("/me/audios/<event_id>")
@require_user
@declare("One recording's segments", "audio", path=EVENT_ID,
         ok=json(obj({"event_id": STR, "audios": arr(SEGMENT)})), errors=EVENT_ERRORS)
def detail(_v, event_id):
    event, audios = audio_service.event_detail(g.user.id, audio_service.parse_event_uuid(event_id))
    return {
        "event_id": event.uuid,
        "audios": [{
            "event_sequence": a.event_sequence,
            "audio_duration": audio_service.format_segment_duration(a.audio_duration),
            "cliente_created_at": audio_service.iso(a.cliente_created_at),
            "bytes": audio_service.format_bytes(a.media_upload.file_size),
            "waveform": a.waveform_base64,
        } for a in audios],
    }


@bp.delete("/me/audios/<event_id>")
@require_user
@declare("Hide a recording from her list (the evidence is kept)", "audio", path=EVENT_ID, ok=json(EMPTY),
         errors=EVENT_ERRORS)
def delete(_v, event_id):
    audio_service.delete_event(g.user.id, audio_service.parse_event_uuid(event_id))
    return {}


@bp.post("/me/audios/<event_id>/request-access")
@require_user
@declare("Ask the team for access to a blocked recording", "audio", path=EVENT_ID, ok=json(SUCCESS_MESSAGE),
         errors=EVENT_ERRORS)
def request_access(_v, event_id):
    audio_service.request_access(g.user.id, audio_service.parse_event_uuid(event_id))
    return {"message": audio_service.REQUEST_ACCESS_MESSAGE, "success": 1}


@bp.get("/me/audios/<event_id>/download")
@require_user
@declare(
    "The recording's audio: the chosen segments joined in order", "audio", path=EVENT_ID,
    query={"audio_sequences": Field("str", required=True, max_length=5000,
                                    description="`all`, or comma-separated segment numbers")},
    ok=("audio/aac", {"type": "string", "contentMediaType": "audio/aac"}),
    errors={**EVENT_ERRORS, 400: ("form_error", "audio_blocked_access"), 500: ("audio_file_not_exists",)},
)
def download(v, event_id):
    event_uuid = audio_service.parse_event_uuid(event_id)
    raw = v["audio_sequences"].strip()
    sequences = None
    if raw != "all":
        sequences = validate({"audio_sequences": Field("int_list")}, {"audio_sequences": raw})["audio_sequences"]
    result = audio_service.open_download(g.user.id, event_uuid, sequences)
    response = Response(result.chunks, mimetype="audio/aac")
    response.headers["Content-Length"] = str(result.size)
    # A recording must never sit in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response
