"""Audio evidence against a real S3 store (SeaweedFS in CI): what the bucket holds is ciphertext only."""
import re
import uuid

from penhas_api.core.adapters.storage import get_storage
from penhas_api.core.models import Cliente, ClienteAudioEvento, MediaUpload
from penhas_api.core.services import audio as audio_service
from penhas_api.core.services.deletion import run_erasers
from tasks.base import PERIODIC_JOBS
from tests.audio_samples import aac, empty_audio_storage, upload  # noqa: F401 (autouse fixture)
from tests.factories import auth_headers, make_user
from tests.helpers import needs_s3


def bucket_objects():
    storage = get_storage()
    assert storage.name == "s3"
    return list(storage.list(audio_service.STORAGE_PREFIX))


def raw_object(key: str) -> bytes:
    """Read the object straight from the bucket with boto3, as anyone holding bucket credentials would."""
    storage = get_storage()
    return storage.client.get_object(Bucket=storage.bucket, Key=key)["Body"].read()


@needs_s3
def test_bucket_holds_ciphertext_and_download_returns_the_original_in_order(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    event = str(uuid.uuid4())
    segments = {1: aac(2, 440), 2: aac(3, 550), 3: aac(2, 660)}
    for sequence in (3, 1, 2):
        assert upload(client, headers, event, sequence, segments[sequence]).status_code == 200

    objects = bucket_objects()
    assert len(objects) == 3
    for key, size in objects:
        raw = raw_object(key)
        assert size == len(raw)
        assert raw[:2] != b"\xff\xf1"  # no ADTS frame header in the clear
        for plain in segments.values():
            assert plain[:32] not in raw and plain[-32:] not in raw
        assert re.fullmatch(r"audio/[0-9a-f]{64}", key)

    dl = client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers)
    assert dl.status_code == 200 and dl.mimetype == "audio/aac"
    assert dl.data == segments[1] + segments[2] + segments[3]
    assert client.get(f"/me/audios/{event}/download?audio_sequences=2,3",
                      headers=headers).data == segments[2] + segments[3]


@needs_s3
def test_account_deletion_and_purge_leave_nothing_in_the_bucket(client, app, frozen_clock):
    her, other = make_user(), make_user()
    her_headers, other_headers = auth_headers(app, her), auth_headers(app, other)
    upload(client, her_headers, str(uuid.uuid4()), 1, aac(2, 440))
    upload(client, her_headers, str(uuid.uuid4()), 1, aac(3, 550))
    old_event = str(uuid.uuid4())
    upload(client, other_headers, old_event, 1, aac(2, 660))
    assert len(bucket_objects()) == 3

    run_erasers(her.id)
    Cliente.delete().where(Cliente.id == her.id).execute()
    assert len(bucket_objects()) == 1

    frozen_clock.advance(days=5 * 365 + 2)
    PERIODIC_JOBS["audio.housekeeping"].fn()
    assert bucket_objects() == []
    assert MediaUpload.select().count() == 0
    assert ClienteAudioEvento.get().status == "delete_from_s3"
