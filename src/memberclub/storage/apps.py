"""App configuration for storage."""

from django.apps import AppConfig


class StorageConfig(AppConfig):
    """Members' files, quota reservations and the storage backends."""

    name = "memberclub.storage"
    label = "storage"
    verbose_name = "オンラインストレージ"
