"""Help that teaches: every `penhas` command and group shows at least one `Example:` line in its --help."""
import pytest
import typer.main
from typer.testing import CliRunner

from penhas_cli.main import app

runner = CliRunner()


def _walk(command, path):
    yield path
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        yield from _walk(sub, path + [name])


COMMANDS = list(_walk(typer.main.get_command(app), []))


def test_the_walk_reaches_nested_commands():
    assert ["centers", "suggestions", "approve"] in COMMANDS and ["users", "sessions", "revoke"] in COMMANDS
    assert len(COMMANDS) > 50


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "penhas")
def test_help_has_an_example(path):
    result = runner.invoke(app, path + ["--help"], terminal_width=120)
    assert result.exit_code == 0, result.output
    examples = [line.strip(" │") for line in result.output.splitlines() if line.strip(" │").startswith("Example:")]
    assert examples, result.output
    # An example is a command line of this very command.
    assert any(e.removeprefix("Example:").strip().startswith(" ".join(["penhas"] + path)) for e in examples), examples
