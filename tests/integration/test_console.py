"""The console (SPEC §10): staff roles, read-only ledger, review queue, letters, audit log."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client

from memberclub.access.models import AuthKey
from memberclub.console.models import AuditLog
from tests.portal_support import easy_request, run_tasks

pytestmark = pytest.mark.django_db


def staff_client(role: str) -> tuple[Client, User]:
    user = get_user_model().objects.create_user(
        username=f"{role.lower()}-1", password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client, user


def names(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_three_roles_exist_with_their_permissions():
    support, finance, admin = (Group.objects.get(name=n) for n in ("SUPPORT", "FINANCE", "ADMIN"))

    assert {"members.view_member", "access.change_easyregistration", "access.add_authkey"} <= names(
        support
    )
    assert "contracts.change_contract" not in names(support)
    assert "members.view_member" not in names(finance)
    assert "ledger.view_entry" in names(finance)
    assert {"console.view_auditlog", "auth.add_user"} <= names(admin)
    assert not any(
        name.startswith(("ledger.change", "ledger.add", "ledger.delete")) for name in names(admin)
    )


def test_viewing_a_members_data_is_written_to_the_audit_log(make_member):
    member = make_member(customer_id="CAF5000001")
    client, user = staff_client("SUPPORT")

    assert client.get(f"/console/members/member/{member.pk}/change/").status_code == 200
    assert (
        client.get(f"/console/contracts/contract/{member.contract.pk}/change/").status_code == 200
    )
    assert client.get("/console/members/member/?q=CAF5000001").status_code == 200

    logged = list(
        AuditLog.objects.filter(staff=user).values_list("action", "object_type", "customer_id")
    )
    assert ("view", "members.Member", "CAF5000001") in logged
    assert ("view", "contracts.Contract", "CAF5000001") in logged
    assert ("view_list", "members.Member", "") in logged


def test_finance_cannot_look_up_members(make_member):
    member = make_member()
    client, _ = staff_client("FINANCE")

    assert client.get(f"/console/members/member/{member.pk}/change/").status_code == 403


def test_a_staff_change_is_written_to_the_audit_log(make_member):
    member = make_member(customer_id="CAF5000002")
    client, user = staff_client("ADMIN")
    url = f"/console/members/member/{member.pk}/change/"
    data = {
        "email": "changed@example.com",
        "nickname": "changed",
        "mail_opt_in": "on",
        "language": "ja",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content
    member.refresh_from_db()
    assert member.email == "changed@example.com"
    assert AuditLog.objects.filter(staff=user, action="change", customer_id="CAF5000002").exists()


def test_staff_cannot_type_a_leaving_date_on_the_member_form(make_member):
    # Leaving runs through its service (points forfeited, storage kept until its date).
    member = make_member(customer_id="CAF5000003")
    client, _ = staff_client("ADMIN")
    url = f"/console/members/member/{member.pk}/change/"
    data = {"email": member.email, "nickname": "n", "language": "ja", "left_on": "2026-11-30"}

    page = client.get(url).content.decode()
    response = client.post(url, data)

    assert 'name="left_on"' not in page
    assert "退会日" in page
    assert response.status_code == 302, response.content
    member.refresh_from_db()
    assert member.left_on is None


def test_the_ledger_is_read_only_in_the_console(make_member):
    member = make_member()
    client, _ = staff_client("ADMIN")

    assert client.get(f"/console/ledger/account/{member.account.pk}/change/").status_code == 200
    assert client.get("/console/ledger/entry/add/").status_code == 403
    assert (
        client.post(
            f"/console/ledger/account/{member.account.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_support_approves_a_queued_easy_registration_with_the_chosen_contract(make_contract):
    make_contract(customer_id="CAF5000003", holder_name="別の 名前", postal_code="100-0001")
    request = easy_request()
    client, user = staff_client("SUPPORT")
    review = f"/console/access/easyregistration/{request.pk}/review/"

    page = client.get(review)
    assert "CAF5000003" in page.text  # offered as a candidate at the same postal code
    response = client.post(review, {"customer_id": "CAF5000003", "approve": "1"})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.contract is not None
    assert (request.status, request.contract.customer_id, request.decided_by) == (
        "APPROVED",
        "CAF5000003",
        user,
    )
    assert AuditLog.objects.filter(staff=user, action="approve", customer_id="CAF5000003").exists()
    run_tasks()
    assert "/register/complete/" in mail.outbox[-1].body


def test_support_rejects_a_request_with_a_reason_the_applicant_reads():
    request = easy_request(email="nobody@example.com")
    client, _ = staff_client("SUPPORT")

    client.post(
        f"/console/access/easyregistration/{request.pk}/review/",
        {"reason": "該当するご契約がありません", "reject": "1"},
    )

    request.refresh_from_db()
    assert (request.status, request.reason) == ("REJECTED", "該当するご契約がありません")
    run_tasks()
    assert "該当するご契約がありません" in mail.outbox[-1].body


def test_a_rejection_without_a_reason_is_refused():
    request = easy_request()
    client, _ = staff_client("SUPPORT")

    client.post(
        f"/console/access/easyregistration/{request.pk}/review/", {"reason": "", "reject": "1"}
    )

    request.refresh_from_db()
    assert request.status == "PENDING"


def test_support_issues_an_auth_key_letter_from_the_member_list(make_member):
    member = make_member(customer_id="CAF5000004")
    client, user = staff_client("SUPPORT")

    response = client.post(
        "/console/members/member/",
        {"action": "issue_auth_key_letter", "_selected_action": [member.pk]},
    )

    assert response.status_code == 302
    assert AuthKey.objects.get(member=member).status == "QUEUED"
    assert AuditLog.objects.filter(
        staff=user, action="issue_letter", customer_id="CAF5000004"
    ).exists()


def test_the_access_key_digest_is_never_shown(make_member):
    member = make_member(customer_id="CAF5000005")
    client, _ = staff_client("ADMIN")

    page = client.get(f"/console/contracts/contract/{member.contract.pk}/change/")

    assert member.contract.access_key_digest not in page.text
