"""App configuration for batch jobs."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Batch jobs."""

    name = "memberclub.jobs"
    label = "jobs"
