"""The `penhas` operator command (Typer + rich)."""
