"""`penhas jobs`: the job queue (depth per priority, scheduled retries) and jobs that exhausted their retries."""
import typer
from rich.progress import Progress
from rich.table import Table

from penhas_api.core.db import connection
from penhas_api.core.services import jobs as jobs_service
from penhas_cli.output import console, domain_errors, fail, print_json, print_table, whole

app = typer.Typer(
    help="Background jobs. Panic-alert SMS run at the highest priority; a job that exhausts its retries is kept "
         "in failed_jobs (never dropped) until `penhas jobs retry` puts it back on the queue.\n\n"
         "Example: penhas jobs status",
    no_args_is_help=True,
)


@app.command()
def status(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Queue depth per priority (100 alerts, 50 default, 0 bulk), scheduled tasks (delays, retries), failed jobs.

    Example: penhas jobs status --json
    """
    with domain_errors(), connection():
        data = jobs_service.queue_status()
    if json_output:
        print_json(data)
        return
    table = Table("queue", "tasks")
    for priority, count in data["pending_by_priority"].items():
        table.add_row(f"pending, priority {priority}", str(count))
    table.add_row("pending, total", str(data["pending"]))
    table.add_row("scheduled (delayed or waiting to retry)", str(data["scheduled"]))
    table.add_row("failed (see `penhas jobs failed`)", f"[red]{data['failed']}[/red]" if data["failed"] else "0")
    console.print(table)


@app.command()
def failed(
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Rows per page."),
    before_id: int = typer.Option(None, "--before-id", help="Next page: the id printed at the end of the last one."),
    task: str = typer.Option(None, "--task", help="Only this task's jobs, e.g. send_sms."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """Jobs that exhausted their retries: SMS first, then newest first. Retry one with `penhas jobs retry ID`.

    Example: penhas jobs failed --limit 20
    Example: penhas jobs failed --task send_sms
    """
    with domain_errors(), connection():
        rows = jobs_service.list_failed(limit=limit, before_id=before_id, task=task)
    out = [{"id": j.id, "name": j.name, "args": j.args, "kwargs": j.kwargs, "priority": j.priority,
            "failed_at": j.failed_at.strftime("%Y-%m-%d %H:%M:%S"), "error": j.error} for j in rows]
    if json_output:
        print_json(out)
        return
    table = Table(whole("id"), whole("job"), "args", "priority", whole("failed at (UTC)"), "error")
    for j in out:
        table.add_row(str(j["id"]), j["name"], ", ".join(map(str, j["args"])), str(j["priority"]), j["failed_at"],
                      j["error"][:80])
    print_table(table)
    if len(out) == limit:
        console.print(f"more: --before-id {out[-1]['id']}")


@app.command()
def retry(
    job_id: int = typer.Argument(None, help="Id from `penhas jobs failed`."),
    all_failed: bool = typer.Option(False, "--all-failed", help="Retry every failed job."),
):
    """Put failed jobs back on the queue (SMS already sent are not sent again).

    Example: penhas jobs retry 42
    Example: penhas jobs retry --all-failed
    """
    if (job_id is None) == (not all_failed):
        fail("give either a job ID or --all-failed")
    with domain_errors(), connection(), Progress(console=console, transient=True) as progress:
        total = jobs_service.failed_count() if all_failed else 1
        bar = progress.add_task("re-enqueueing", total=total)
        retried = jobs_service.retry([job_id] if job_id is not None else None, all_failed=all_failed,
                                     on_each=lambda _job: progress.advance(bar))
    console.print(f"{len(retried)} job(s) re-enqueued")


def _periodic_jobs() -> dict:
    import tasks  # noqa: F401  (imports every task module, which registers its periodic jobs)
    from tasks.base import PERIODIC_JOBS

    return PERIODIC_JOBS


@app.command()
def schedule(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Periodic jobs with their next two runs (UTC) and how their last run ended. They are run by the consumers
    started with a scheduler; with several, each job still runs once per period.

    Example: penhas jobs schedule
    """
    from penhas_api.core import clock
    from penhas_api.core.services import periodic

    jobs = _periodic_jobs()
    now = clock.now()
    with connection():
        last = periodic.last_runs()
    rows = []
    for name in sorted(jobs):
        job = jobs[name]
        first = periodic.next_run(job.schedule, now)
        second = periodic.next_run(job.schedule, first) if first else None
        run = last.get(name)
        rows.append({
            "name": name, "description": job.description,
            "next_run": first.isoformat(timespec="minutes") if first else None,
            "then": second.isoformat(timespec="minutes") if second else None,
            "last_run": run.started_at.isoformat(timespec="seconds") if run else None,
            "last_status": run.status if run else None,
            "last_error": run.error if run else None,
        })
    if json_output:
        print_json(rows)
        return
    colour = {"ok": "green", "failed": "red", "running": "yellow", "skipped": "yellow"}
    table = Table(*(whole(column) for column in ("job", "next run (UTC)", "then", "last run")), "description")
    for row in rows:
        status = row["last_status"]
        last_run = "-" if status is None else f"[{colour[status]}]{status}[/] {row['last_run'][:16]}"
        table.add_row(row["name"], (row["next_run"] or "-").replace("T", " "), (row["then"] or "-").replace("T", " "),
                      last_run, row["description"])
    print_table(table)


@app.command()
def run(name: str = typer.Argument(..., help="Periodic job name from `penhas jobs schedule`.")):
    """Run one periodic job now, in this process, recorded like a scheduled run. If the job is running in a
    consumer at this moment it is skipped, never run twice at once.

    Example: penhas jobs run guardians.expire_invites
    """
    from penhas_api.core.services import periodic
    from tasks.base import run_now

    if name not in _periodic_jobs():
        fail(f"job desconhecido: {name} (veja `penhas jobs schedule`)")
    try:
        result = run_now(name)
    except Exception as exc:
        fail(f"{name} falhou: {getattr(exc, 'message', None) or exc.__class__.__name__ + ': ' + str(exc)[:300]}")
    with connection():
        last = periodic.last_runs().get(name)
    if last is not None and last.status == "skipped":
        console.print(f"[yellow]{name} skipped[/yellow]: {last.error}")
        return
    console.print(f"[green]{name} done[/green]" + (f": {result}" if result is not None else ""))
