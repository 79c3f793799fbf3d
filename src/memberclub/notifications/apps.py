"""App configuration for notifications."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Email through the task worker, and club notices."""

    name = "memberclub.notifications"
    label = "notifications"
    verbose_name = "お知らせ・メール"
