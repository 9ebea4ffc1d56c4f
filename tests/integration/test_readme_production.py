"""The README's production block: every `penhas` command in it exists, and (on PostgreSQL, Redis, S3 and SNS)
the block works as written on a fresh database, with only its "your values" lines replaced."""
import os
import re
import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from penhas_cli.main import app
from tests.helpers import needs_postgres, needs_redis, needs_s3, needs_sns

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
runner = CliRunner()


def _block(marker: str) -> str:
    match = re.search(rf"<!-- production:{marker} -->\n```sh\n(.*?)```", README, re.S)
    assert match, marker
    return match.group(1)


def _section() -> str:
    return README[README.index("## Production"):].split("\n## ", 1)[0]


def _penhas_commands() -> list[list[str]]:
    """Each `penhas …` invocation of the section, cut to its command path (the words before any argument)."""
    found = []
    for code in re.findall(r"```sh\n(.*?)```", _section(), re.S):
        for part in re.split(r"&&|\|\||[;&|{}()\n]", code):
            words = part.split("#", 1)[0].split()
            if "penhas" not in words:
                continue
            words = words[words.index("penhas") + 1:]
            path = []
            for word in words:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                path.append(word)
            found.append(path)
    return found


def test_the_production_section_runs_the_commands_it_needs():
    commands = {" ".join(c) for c in _penhas_commands()}
    assert {"secrets generate", "db migrate", "fixtures load", "health", "backup create", "serve",
            "worker"} <= commands


@pytest.mark.parametrize("path", _penhas_commands(), ids=" ".join)
def test_every_penhas_command_of_the_block_exists(path):
    # A path cut too long (an argument taken for a subcommand) fails here as well: `--help` would not parse.
    result = runner.invoke(app, path + ["--help"])
    assert result.exit_code == 0, result.output


@needs_postgres
@needs_redis
@needs_s3
@needs_sns
def test_the_block_works_as_written_on_a_fresh_database(tmp_path):
    from penhas_api.core.adapters.storage import S3Storage, boto_client

    admin = urlparse(os.environ["PENHAS_TEST_ORIGINAL_DATABASE_URL"])
    name = f"penhas_readme_{secrets.token_hex(4)}"
    bucket = f"penhas-readme-{secrets.token_hex(4)}"
    storage = S3Storage(bucket, boto_client("s3", os.environ["S3_ENDPOINT_URL"]))
    storage.ensure_bucket()  # "create it in your provider first"
    values = "\n".join([
        f"export PGHOST={admin.hostname} PGPORT={admin.port or 5432} PGUSER={admin.username} "
        f"PGPASSWORD={admin.password} PENHAS_DB={name}",
        f"export REDIS_URL={os.environ['REDIS_URL']}",
        f"export S3_BUCKET={bucket} S3_ENDPOINT_URL={os.environ['S3_ENDPOINT_URL']} "
        f"AWS_REGION={os.environ.get('AWS_REGION', 'us-east-1')}",
        f"export AWS_ACCESS_KEY_ID={os.environ['AWS_ACCESS_KEY_ID']} "
        f"AWS_SECRET_ACCESS_KEY={os.environ['AWS_SECRET_ACCESS_KEY']}",
        f"export SMS_BACKEND=sns PUBLIC_URL=http://127.0.0.1:8000 SNS_ENDPOINT_URL={os.environ['SNS_ENDPOINT_URL']}",
        f"export PENHAS_ETC={tmp_path / 'etc'}",
    ])
    def names(block):
        return {word.split("=", 1)[0] for line in re.findall(r"export ([^#\n]*)", block) for word in line.split()}

    # The test replaces exactly the README's values (plus the emulator's SNS endpoint), nothing of its steps.
    assert names(values) - {"SNS_ENDPOINT_URL"} == names(_block("values"))
    # A fresh machine's environment: nothing of the test run's configuration, keys included.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PYTHONPATH=str(ROOT), PENHAS_DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    try:
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", values + "\n" + _block("steps")], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert (tmp_path / "etc" / "secrets.env").stat().st_mode & 0o077 == 0
        assert "down" not in run.stdout
        assert any(key.endswith(".manifest.json") for key, _ in storage.list("backups/"))
    finally:
        for key, _ in list(storage.list("")):
            storage.delete(key)
        storage.client.delete_bucket(Bucket=bucket)
        subprocess.run(["dropdb", "--if-exists", "--force", name], env=dict(
            env, PGHOST=admin.hostname, PGPORT=str(admin.port or 5432), PGUSER=admin.username,
            PGPASSWORD=admin.password or ""), capture_output=True, timeout=300)
