"""Skip markers for tests that need a real server, and small shared helpers."""
import hashlib
import os

import pytest

needs_postgres = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                    reason="needs PostgreSQL: set DATABASE_URL=postgresql://...")
needs_sqlite = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                  reason="runs on the embedded SQLite database only")
needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")
needs_s3 = pytest.mark.skipif(not (os.environ.get("S3_BUCKET") and os.environ.get("S3_ENDPOINT_URL")),
                              reason="needs an S3 store: set S3_BUCKET and S3_ENDPOINT_URL")
needs_sns = pytest.mark.skipif(not os.environ.get("SNS_ENDPOINT_URL"),
                               reason="needs SNS (moto_server): set SNS_ENDPOINT_URL")


def key_for(label: str) -> str:
    """A fixed, correctly formed key (64 hex characters) for tests: the same label gives the same key."""
    return hashlib.sha256(f"penhas-test-key:{label}".encode()).hexdigest()


def assert_error(response, status: int, error: str, field: str | None = None, reason: str | None = None):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert isinstance(body, dict)
    assert body["error"] == error, body
    assert all(isinstance(v, str) for k, v in body.items() if k in ("error", "message", "field", "reason"))
    if field is not None:
        assert body.get("field") == field, body
    if reason is not None:
        assert body.get("reason") == reason, body
    return body
