"""Audio recordings (mobile-contract §2.11): background upload, list, detail, delete, download, access request."""
from flask import Blueprint, Response, g, request

from penhas_api.auth import require_user
from penhas_api.core.services import audio as audio_service
from penhas_api.core.services import audio_pages
from penhas_api.params import Field, validate

bp = Blueprint("audio", __name__)


@bp.post("/me/audios")
@require_user
def upload():
    params = validate({
        "cliente_created_at": Field("datetime", required=True, max_length=100),
        "current_time": Field("datetime", required=True, max_length=100),
        "event_id": Field("str", required=True, max_length=36),
        "event_sequence": Field("int", required=True, max_length=6),
        "sha1": Field("str", max_length=40),
    })
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
def list_audios():
    params = validate({
        "rows": Field("int", max_length=4),
        "next_page": Field("str", max_length=500),
    })
    page, next_page = audio_pages.list_page(g.user.id, params.get("rows"), params.get("next_page"))
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
def detail(event_id):
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
def delete(event_id):
    audio_service.delete_event(g.user.id, audio_service.parse_event_uuid(event_id))
    return {}


@bp.post("/me/audios/<event_id>/request-access")
@require_user
def request_access(event_id):
    audio_service.request_access(g.user.id, audio_service.parse_event_uuid(event_id))
    return {"message": audio_service.REQUEST_ACCESS_MESSAGE, "success": 1}


@bp.get("/me/audios/<event_id>/download")
@require_user
def download(event_id):
    event_uuid = audio_service.parse_event_uuid(event_id)
    params = validate({"audio_sequences": Field("str", required=True, max_length=5000)})
    raw = params["audio_sequences"].strip()
    sequences = None
    if raw != "all":
        sequences = validate({"audio_sequences": Field("int_list")}, {"audio_sequences": raw})["audio_sequences"]
    result = audio_service.open_download(g.user.id, event_uuid, sequences)
    response = Response(result.chunks, mimetype="audio/aac")
    response.headers["Content-Length"] = str(result.size)
    # A recording must never sit in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response
