"""Audio service rules that the API tests do not reach directly."""
import itertools
from datetime import datetime, timedelta

import peewee
import pytest

from penhas_api.core import clock
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import ClienteAudio, ClienteAudioEvento, MediaUpload
from penhas_api.core.services import audio
from tests.factories import make_user


_ids = itertools.count(1)


def make_event(cliente, created_at, status="free_access"):
    return ClienteAudioEvento.create(
        event_id=f"{cliente.id}:00000000-0000-4000-8000-{next(_ids):012d}", cliente=cliente, created_at=created_at,
        audio_duration=1, updated_at=created_at, status=status, last_cliente_created_at=created_at,
        estava_em_situacao_risco=False)


def test_formats_shown_in_the_app():
    assert audio.format_duration(55.9) == "0m55s"
    assert audio.format_duration(138) == "2m18s"
    assert audio.format_duration(3723) == "1h02m03s"
    assert audio.format_segment_duration(15.883) == "16s"
    assert audio.format_bytes(0) == "0B"
    assert audio.format_bytes(434 * 1024 + 100) == "434KiB"
    assert audio.format_bytes(int(2.2 * 1024 * 1024)) == "2MiB"
    assert audio.iso(datetime(2020, 8, 15, 17, 23, 6, 999)) == "2020-08-15T17:23:06"


def test_five_years_back_from_a_leap_day():
    assert audio.years_before(datetime(2028, 2, 29, 12), 5) == datetime(2023, 2, 28, 12)


def test_event_uuid_must_be_a_v4_uuid():
    assert audio.parse_event_uuid(" C6711926-0CA8-47FD-BED3-5A803C422904 ") == "c6711926-0ca8-47fd-bed3-5a803c422904"
    for bad in ("", "c6711926-0ca8-17fd-bed3-5a803c422904", "c6711926", "1:c6711926-0ca8-47fd-bed3-5a803c422904"):
        with pytest.raises(PenhasError):
            audio.parse_event_uuid(bad)


def test_one_pass_puts_a_long_missed_event_where_it_belongs(db, frozen_clock):
    user = make_user()
    now = frozen_clock.now
    missed = make_event(user, now - timedelta(days=31))
    fresh = make_event(user, now - timedelta(days=1))
    granted = make_event(user, now - timedelta(days=35), status="free_access_by_admin")
    expired_grant = make_event(user, now - timedelta(days=41), status="free_access_by_admin")
    ancient = make_event(user, now - timedelta(days=5 * 366), status="hidden")

    moved = audio.tick_statuses()
    status = {e.event_id: e.status for e in ClienteAudioEvento.select()}
    assert status[missed.event_id] == "hidden" and status[fresh.event_id] == "free_access"
    assert status[granted.event_id] == "free_access_by_admin" and status[expired_grant.event_id] == "hidden"
    assert status[ancient.event_id] == "delete_from_s3"
    assert moved == {"delete_from_s3": 1, "blocked_access": 1, "hidden": 2}
    assert audio.tick_statuses() == {"delete_from_s3": 0, "blocked_access": 0, "hidden": 0}


def test_tick_for_one_user_leaves_others_alone(db, frozen_clock):
    her, other = make_user(), make_user()
    make_event(her, frozen_clock.now - timedelta(days=4))
    theirs = make_event(other, frozen_clock.now - timedelta(days=4))
    audio.tick_statuses(her.id)
    assert ClienteAudioEvento.get_by_id(theirs.event_id).status == "free_access"


def test_only_one_current_row_per_segment(db):
    """The database itself refuses two current copies of a segment (concurrent re-sends)."""
    user = make_user()
    event = make_event(user, clock.now())

    def row(n):
        media = MediaUpload.create(id=f"m{n}", file_sha1="x", file_size=1, s3_path=f"audio/{n}", cliente=user,
                                   intention="guardiao", created_at=clock.now(), enc_key_id="k",
                                   enc_wrapped_key="w")
        return ClienteAudio.create(cliente=user, created_at=clock.now(), cliente_created_at=clock.now(),
                                   media_upload=media, event=event, event_sequence=1, audio_duration=1.0)

    first = row(1)
    with pytest.raises(peewee.IntegrityError):
        with db.atomic():
            row(2)
    ClienteAudio.update(duplicated_upload=True).where(ClienteAudio.id == first.id).execute()
    row(3)
    assert ClienteAudio.select().where(~ClienteAudio.duplicated_upload).count() == 1
