"""The guide's management command, verbatim: ``python manage.py job_status <job_id>``."""

# ruff: noqa: I001
# I001: the guide's import order is kept.

# The guide's code below is kept exactly as written, layout included (ruff format would
# re-wrap it); the formatter is off from here on.
# fmt: off

from django.core.management.base import BaseCommand
from myapp.queue import sync_client

class Command(BaseCommand):
    help = 'Check GopherQueue job status'

    def add_arguments(self, parser):
        parser.add_argument('job_id', type=str)

    def handle(self, *args, **options):
        job = sync_client.get(options['job_id'])
        self.stdout.write(f"Job: {job.id}")
        self.stdout.write(f"State: {job.state}")
        self.stdout.write(f"Progress: {job.progress}%")
        if job.result:
            self.stdout.write(f"Result: {job.result}")
