"""Object storage: S3 (boto3) in production, a directory under the data dir embedded."""
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from penhas_api.core.settings import get_settings


class StorageError(Exception):
    pass


class DiskStorage:
    name = "disk"

    def __init__(self, root: Path):
        self.root = Path(root)  # created by the first write, not by opening the storage (health creates nothing)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError("invalid object key")
        return path

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename so a reader never sees half an object.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"object not found: {key}") from exc

    def put_file(self, key: str, source: Path) -> None:
        """Store a local file without reading it into memory (backups can be large)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, path)

    def get_file(self, key: str, target: Path) -> None:
        try:
            shutil.copyfile(self._path(key), target)
        except FileNotFoundError as exc:
            raise StorageError(f"object not found: {key}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def list(self, prefix: str = ""):
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key, path.stat().st_size

    def ping(self) -> None:
        # A check creates nothing: the directory may not exist yet when the first existing parent is writable.
        existing = next(p for p in (self.root, *self.root.parents) if p.exists())
        if not os.access(existing, os.W_OK):
            raise StorageError(f"storage directory not writable: {self.root}")


class S3Storage:
    name = "s3"

    def __init__(self, bucket: str, client):
        self.bucket = bucket
        self.client = client

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey as exc:
            raise StorageError(f"object not found: {key}") from exc

    def put_file(self, key: str, source: Path) -> None:
        """Store a local file without reading it into memory (multipart upload for large files)."""
        self.client.upload_file(str(source), self.bucket, key)

    def get_file(self, key: str, target: Path) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.download_file(self.bucket, key, str(target))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise StorageError(f"object not found: {key}") from exc
            raise

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def list(self, prefix: str = ""):
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"], obj["Size"]

    def ping(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)


def boto_client(service: str, endpoint_url: str | None, max_attempts: int = 3):
    import boto3
    from botocore.config import Config

    s = get_settings()
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=s.aws_region,
        aws_access_key_id=s.aws_access_key_id,
        aws_secret_access_key=s.aws_secret_access_key,
        config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": max_attempts, "mode": "standard"},
                      s3={"addressing_style": "path"}),
    )


@lru_cache(maxsize=4)
def _storage_for(backend: str, bucket: str | None, endpoint: str | None, root: str):
    if backend == "s3":
        return S3Storage(bucket, boto_client("s3", endpoint))
    return DiskStorage(Path(root))


def get_storage():
    s = get_settings()
    return _storage_for(s.storage_backend, s.s3_bucket, s.s3_endpoint_url, str(s.storage_dir))
