"""Every console page, as ADMIN sees it in Chromium, is in Japanese: each list, one change page
of each model, each add form, each report and the dashboard, on a database holding data of every
kind. Any English word in the visible text fails the test, with the page it was on.

What may stay in Latin letters: codes that identify something (customer IDs, member IDs,
redemption numbers, item codes, key prefixes, tracking numbers — anything with a digit or in
capitals with a hyphen), the codes of the spec (programs, plans, roles, API scopes), commands
to run (shown as code), names (the product, Excel, the language switch's "English"), units,
CSV and SVG, e-mail addresses, numbers, and what staff or the tests typed (reasons, user
names, idempotency keys), which is shown as typed.
"""

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from memberclub.access.authkeys import auth_key_request
from memberclub.access.models import EasyRegistration
from memberclub.api.tokens import api_key_create
from memberclub.console.audit import audit_record
from memberclub.fulfilment.models import Shipment
from memberclub.ledger.models import Entry
from memberclub.members.models import Member
from memberclub.notifications.models import Notice
from memberclub.reports.models import EntrySummary
from memberclub.rewards.models import Category, Redemption
from memberclub.rewards.services.codes import codes_load
from memberclub.storage.models import StoredFile
from tests.browser.test_console_pages import WIDTH, screenshot
from tests.portal_support import PASSWORD, easy_request
from tests.report_support import busy_ledger
from tests.rewards_support import redeem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = {"east", "west", "FAMILY", "MANSION", "LIGHT", "CROSS", "ADMIN", "FINANCE", "SUPPORT"}
NAMES = {"memberclub", "Excel", "English", "CSV", "SVG", "BOM", "ID", "API", "LED", "Wi-Fi", "LDAP"}
# Keys on the keyboard, as Django's own Japanese names them ("Mac は Command キー…").
KEYS = {"Control", "Command", "Mac"}
UNITS = {"B", "KB", "MB", "GB", "g", "kg"}
ALLOWED = CODES | NAMES | UNITS | KEYS
# An identifier: has a digit, is capitals/digits joined by hyphens (E-RICE-5KG), is a scope
# (contracts:write) or an operator API key's prefix (mco_ and random letters).
IDENTIFIER = re.compile(
    r"^(?=.*\d)[\w.\-/:]+$|^[A-Z0-9]+(-[A-Z0-9]+)+$|^[a-z]+:[a-z]+$|^mco_[\w-]+$"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/:]*")
# The reasons the ledger's test data gives (tests.report_support); the system's own reasons
# must be in Japanese.
TYPED_REASONS = ["left", "asked", "fix", "late cancel"]
# The member source the test factories give (tests.factories).
FACTORY_CODES = ["test"]
# The page's visible text without what is shown as code (commands to run, identifiers).
VISIBLE_TEXT = """() => {
    for (const code of document.querySelectorAll('code, kbd, pre')) code.textContent = '';
    return document.body.innerText;
}"""


def english_words(text: str, typed: set[str]) -> set[str]:
    """The words of `text` in Latin letters that are neither allowed, identifiers nor typed."""
    text = EMAIL.sub(" ", text)
    found = set()
    for raw in WORD.findall(text):
        token = raw.strip(".-/:")
        if not token or token in ALLOWED or token in typed or IDENTIFIER.match(token):
            continue
        found.add(token)
    return found


def typed_words() -> set[str]:
    """The words staff and the tests typed into the data: shown as typed, in any language."""
    texts: list[str] = [
        *TYPED_REASONS,
        *FACTORY_CODES,
        # Catalog category codes are codes, like item codes (shown in the code column).
        *Category.objects.values_list("code", flat=True),
        *Entry.objects.values_list("idempotency_key", flat=True),
        *Redemption.objects.values_list("canceled_by", flat=True),
        *Redemption.objects.values_list("idempotency_key", flat=True),
        *get_user_model().objects.values_list("username", flat=True),
    ]
    return {word for text in texts for word in WORD.findall(text or "")}


def every_kind_of_data(make_member) -> None:
    """A ledger with every entry kind, and a row of every model the console lists."""
    members = busy_ledger(make_member)
    east = members["east"]
    auth_key_request(member=east, by="staff")
    easy_request()
    Notice.objects.create(
        title_ja="メンテナンスのお知らせ",
        title_en="Maintenance",
        body_ja="12月10日に作業します。",
        body_en="Work on 10 December.",
        published_on=dt.date(2026, 12, 1),
    )
    api_key_create(name="請求システム", scopes=["contracts:write"])
    codes_load(item_code="E-CINEMA", codes=["CINEMA-0001", "CINEMA-0002"])
    shipped = Redemption.objects.filter(item__kind="SHIPPED", canceled_on__isnull=True)
    first = shipped.first()
    if first is not None:
        Shipment.objects.create(
            redemption=first,
            account_id=first.account_id,
            tracking_number="1234-5678-9012",
            shipped_on=dt.date(2027, 5, 22),
        )
    redeem(east, "E-CINEMA", key="cinema", on=dt.date(2027, 5, 25))
    StoredFile.objects.create(
        member=east,
        name="写真.jpg",
        size=2_500_000,
        object_key="ab/cd/" + "0" * 32 + "-0",
        uploaded_at=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC),
    )


@pytest.fixture
def admin_page(browser, live_server, make_member) -> Iterator[Any]:
    """An ADMIN user logged in, on a database with data of every kind."""
    every_kind_of_data(make_member)
    staff = get_user_model().objects.create_user(
        username="admin-ja", password=PASSWORD, is_staff=True
    )
    staff.groups.add(Group.objects.get(name="ADMIN"))
    audit_record(staff=staff, action="view", object_type="members.Member", object_id=1)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": 900}
    )
    page = context.new_page()
    page.goto("/console/login/")
    page.fill("#id_username", "admin-ja")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/console/")
    yield page
    context.close()


def console_pages() -> list[str]:
    """Each list, one change page per model that has a row, each add form, each report.

    As ADMIN reaches them: the add forms ADMIN may use, the rows ADMIN's lists show.
    """
    request = RequestFactory().get("/console/")
    request.user = get_user_model().objects.get(username="admin-ja")
    pages = ["/console/", "/console/reports/entrysummary/"]
    reports = "/console/reports/entrysummary"
    pages += [
        f"{reports}/liability/?program=east&fy=2026&by=month",
        f"{reports}/liability/?program=west&fy=2026",
        f"{reports}/outstanding/?program=east&as_of=2027-06-30",
        f"{reports}/redemptions/?program=east&fy=2027",
        f"{reports}/breakage/?program=east&as_of=2027-06-30",
    ]
    east = Member.objects.filter(program="east").order_by("pk").first()
    assert east is not None
    pages.append(reverse("admin:members_member_adjust", args=[east.pk]))
    easy = EasyRegistration.objects.order_by("pk").first()
    assert easy is not None
    pages.append(reverse("admin:access_easyregistration_review", args=[easy.pk]))
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if model_admin is admin.site._registry.get(EntrySummary):
            continue  # the reports' index, above
        pages.append(reverse(f"{name}_changelist"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            pages.append(reverse(f"{name}_change", args=[obj.pk]))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{name}_add"))
    return pages


# Change pages kept as screenshots (UPDATE_SCREENSHOTS=1), by model.
SHOTS = {
    "entry": "console-entry",
    "lot": "console-lot",
    "group": "console-role",
    "auditlog": "console-audit-line",
    "memberstorage": "console-storage-usage",
}


def test_no_english_on_any_console_page(admin_page):
    page = admin_page
    found: dict[str, set[str]] = {}
    typed = typed_words()
    for path in console_pages():
        answer = page.goto(path)
        assert answer is not None and answer.status == 200, path
        shot = SHOTS.get(path.split("?")[0].rstrip("/").rsplit("/", 2)[0].rsplit("/", 1)[-1])
        if shot is not None and path.endswith("/change/"):
            screenshot(page, shot)
        words = english_words(page.evaluate(VISIBLE_TEXT), typed)
        if words:
            found[path] = words
    assert not found, "English left:\n" + "\n".join(
        f"{path}: {' '.join(sorted(words))}" for path, words in found.items()
    )
