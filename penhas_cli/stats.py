"""`penhas stats`: the numbers an operator checks in the morning."""
import typer
from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text

from penhas_api.core.db import connection
from penhas_api.core.services import stats as stats_service
from penhas_cli.output import console, print_json

BAR_WIDTH = 40


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def _pairs(title: str, data: dict, first: str = "", second: str = "count") -> Table:
    table = Table(first, second, title=title, title_justify="left")
    for key, value in data.items():
        table.add_row(str(key), str(value))
    return table


def _chart(title: str, series: list[dict]) -> Group:
    """One line per day with a bar scaled to the busiest day."""
    peak = max((d["count"] for d in series), default=0)
    table = Table("day", "n", "", box=None, pad_edge=False)
    for d in series:
        width = 0 if not peak else round(d["count"] / peak * BAR_WIDTH)
        bar = "█" * width if width or not d["count"] else "▏"
        table.add_row(d["day"][5:], str(d["count"]), f"[magenta]{bar}[/magenta]")
    return Group(Text(f"{title} (total {sum(d['count'] for d in series)})", style="italic"), table, Text(""))


def stats(
    days: int = typer.Option(30, min=1, max=366, help="Days in the daily series (today included)."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """Users by status and mode, daily sign-ups and panic alerts (with a chart), SMS sent/failed, support centers
    by UF and category, audio events and storage, job queue. Aggregates only: no personal data.

    Example: penhas stats --days 7
    """
    with connection():
        data = stats_service.collect(days)
    if json_output:
        print_json(data)
        return
    if "users" in data:
        users = data["users"]
        console.print(Columns([
            _pairs(f"users ({users['total']})", users["by_status"], "status"),
            _pairs("active users by mode", users["active_by_mode"], "mode"),
        ]))
        console.print(_chart(f"sign-ups per day, last {days} days", users["signups_per_day"]))
    if "alerts" in data:
        console.print(_chart(f"panic alerts per day, last {days} days", data["alerts"]["per_day"]))
    if "sms" in data:
        sms = data["sms"]
        # The totals on a line of their own: as a title they would wrap to the narrow table's width.
        console.print(f"[italic]SMS: sent {sms['sent']}, failed {sms['failed']}; last {days} days: sent "
                      f"{sms['last_days']['sent']}, failed {sms['last_days']['failed']}[/italic]")
        table = Table("kind", "status", "count")
        for kind, statuses in sms["by_kind"].items():
            for status, count in statuses.items():
                table.add_row(kind, f"[red]{status}[/red]" if status == "failed" else status, str(count))
        if sms["by_kind"]:
            console.print(table)
    if "centers" in data:
        centers = data["centers"]
        console.print(Columns([
            _pairs(f"support centers ({centers['total']})", centers["by_status"], "status"),
            _pairs("active by UF", centers["active_by_uf"], "UF"),
            _pairs("active by category", centers["active_by_category"], "category"),
        ]))
    if "audio" in data:
        audio = data["audio"]
        table = Table("status", "events", "bytes", title=f"audio events ({audio['events']}, "
                                                         f"{_size(audio['event_bytes'])})", title_justify="left")
        for status, row in audio["by_status"].items():
            table.add_row(status, str(row["events"]), _size(row["bytes"]))
        console.print(table)
        if "storage_bytes" in audio:
            console.print(f"stored media: {audio['stored_objects']} objects, {_size(audio['storage_bytes'])}")
    if "queue" in data:
        console.print(_pairs("job queue", data["queue"], "queue", "jobs"))
    if data["skipped"]:
        console.print(f"[yellow]not in this database yet:[/yellow] {', '.join(data['skipped'])}")
