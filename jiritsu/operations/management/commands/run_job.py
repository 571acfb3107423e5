"""manage.py run_job NAME — run one scheduled job and record the run (what the systemd timer
starts); ``--list`` shows the jobs and their last runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiritsu.operations.jobs import job_states, registry, run_job


class Command(BaseCommand):
    help = "定期処理を1つ実行し、その結果を記録します（--list で一覧）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="処理の名前（--list で一覧）")
        parser.add_argument("--list", action="store_true", help="処理の一覧と前回の結果")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = registry()
        if options["list"] or not options["name"]:
            for state in job_states():
                last = state.last
                when = f"{last.started_at:%Y-%m-%d %H:%M} {last.status}" if last else "未実行"
                self.stdout.write(f"{state.job.name:20} {when:28} {state.problem or 'OK'}  "
                                  f"{state.job.title}")
            return
        job = jobs.get(options["name"])
        if job is None:
            raise CommandError(f"処理 {options['name']!r} はありません: {', '.join(jobs)}")
        try:
            run = run_job(job)
        except Exception as exc:
            raise CommandError(f"{job.name}: 失敗しました（{type(exc).__name__}）") from exc
        self.stdout.write(f"{job.name}: {run.get_status_display()} "
                          f"({run.duration_seconds or 0:.1f} 秒)")
