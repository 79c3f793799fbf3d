"""A member uses online storage in Chromium: upload with progress, usage bar, download, rename,
delete. With UPDATE_SCREENSHOTS=1 the page is saved to docs/screenshots (desktop and phone)."""

import os
from pathlib import Path
from typing import Any

import pytest

from memberclub.members.models import Member
from memberclub.storage.models import StoredFile
from tests.storage_support import use_local_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple 7"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Every text the per-file status shows is kept in sessionStorage, across the reload after it.
RECORD_PROGRESS = """
document.addEventListener("DOMContentLoaded", function () {
  new MutationObserver(function () {
    document.querySelectorAll(".upload-state").forEach(function (state) {
      var seen = JSON.parse(sessionStorage.getItem("seen") || "[]");
      if (seen.indexOf(state.textContent) < 0) { seen.push(state.textContent); }
      sessionStorage.setItem("seen", JSON.stringify(seen));
    });
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
});
"""


@pytest.fixture
def member(make_member, settings, tmp_path) -> Member:
    use_local_storage(settings, tmp_path / "storage")
    member: Member = make_member()
    member.user.set_password(PASSWORD)
    member.user.save()
    return member


def _page(browser: Any, live_server: Any, **options: Any) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", **options)
    context.add_init_script(RECORD_PROGRESS)
    return context.new_page()


def _log_in(page: Any, member: Member) -> None:
    page.goto("/login/")
    page.fill("#id_username", member.member_id)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")


def _screenshot(page: Any, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_member_uploads_downloads_renames_and_deletes_a_file(
    browser, live_server, member, tmp_path
):
    data = os.urandom(3 * 1024 * 1024 + 123)
    source = tmp_path / "家族写真.jpg"
    source.write_bytes(data)
    page = _page(browser, live_server)
    _log_in(page, member)

    page.get_by_role("link", name="オンラインストレージ").click()
    page.wait_for_url("**/storage/")
    assert page.locator("#usage-text").inner_text() == "0 B / 10 GB"
    with page.expect_navigation():
        page.set_input_files("#id_files", str(source))

    seen = page.evaluate("JSON.parse(sessionStorage.getItem('seen') || '[]')")
    assert "0%" in seen and "完了" in seen
    assert page.locator("#usage-text").inner_text() == "3 MB / 10 GB"
    assert int(page.locator("#usage-bar").get_attribute("value")) == len(data)
    link = page.get_by_role("link", name="家族写真.jpg")
    _screenshot(page, "storage")
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "家族写真.jpg"
    assert Path(download.path()).read_bytes() == data

    page.get_by_text("名前を変更").click()
    page.locator(".rename-form input[name=name]").fill("旅行.jpg")
    page.locator(".rename-form").get_by_role("button", name="変更する").click()
    page.wait_for_url("**/storage/")
    assert page.get_by_role("link", name="旅行.jpg").is_visible()
    assert StoredFile.objects.get().name == "旅行.jpg"

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="削除").click()
    page.wait_for_url("**/storage/")
    assert "「旅行.jpg」を削除しました。" in page.locator("main").inner_text()
    assert page.locator("#usage-text").inner_text() == "0 B / 10 GB"
    assert not StoredFile.objects.exists()


def test_the_page_fits_a_phone(browser, live_server, member, tmp_path):
    for name in ("議事録.pdf", "見積書 2026年12月.xlsx"):
        (tmp_path / name).write_bytes(b"x" * 2048)
    page = _page(browser, live_server, viewport={"width": 375, "height": 740})
    _log_in(page, member)
    page.goto("/storage/")
    with page.expect_navigation():
        page.set_input_files(
            "#id_files", [str(tmp_path / "議事録.pdf"), str(tmp_path / "見積書 2026年12月.xlsx")]
        )

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert page.get_by_role("link", name="見積書 2026年12月.xlsx").is_visible()
    _screenshot(page, "storage-phone")
