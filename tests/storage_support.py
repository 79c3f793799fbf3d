"""Helpers for the storage tests: a storage folder, small quotas, uploads through the portal."""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.test import Client

from memberclub.programs.services import program_load
from tests.conftest import ROOT


def use_local_storage(settings, folder: Path) -> Path:
    """Point STORAGE_URL at a fresh folder for this test."""
    settings.STORAGE_URL = f"file://{folder}"
    return folder


def east_with(*, quota: int | None = None, level: str | None = None) -> None:
    """Load a new version of east with another quota or storage access level."""
    text = (ROOT / "programs" / "east.toml").read_text(encoding="utf-8")
    if quota is not None:
        text = text.replace("quota_bytes = 10737418240", f"quota_bytes = {quota}")
    if level is not None:
        text = text.replace('storage = "PASSWORD"', f'storage = "{level}"')
    program_load(text=text, source="east.toml")


def upload(client: Client, name: str, data: bytes, *, folder: str = "", **extra: Any):
    """Upload one file the way the page's script does (raw body, CSRF token header)."""
    query = urlencode({"name": name, "folder": folder})
    return client.post(
        f"/storage/upload/?{query}", data=data, content_type="application/octet-stream", **extra
    )


def stored_bytes(folder: Path) -> int:
    """Bytes of every object kept under the storage folder (partial writes included)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def database_url() -> str:
    """The test database as a DATABASE_URL, for commands run in a subprocess."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )
