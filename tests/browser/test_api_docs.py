"""The API's documentation page in Chromium with no way out to the internet."""

import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_the_api_docs_render_their_operations_from_local_assets(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    outside: list[str] = []

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()

    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()

    assert outside == []
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/me/points" in summaries
    assert "/api/v1/members/{member_id}/points" in summaries
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "api-docs.png"), full_page=False)
    context.close()
