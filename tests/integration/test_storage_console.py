"""SUPPORT sees a member's storage usage in the console, never the file names."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from memberclub.console.models import AuditLog
from tests.portal_support import logged_in
from tests.storage_support import upload, use_local_storage

pytestmark = pytest.mark.django_db


def test_support_sees_usage_and_not_file_names(settings, tmp_path, make_member):
    use_local_storage(settings, tmp_path / "storage")
    member = make_member()
    upload(logged_in(member), "秘密の日記.txt", b"x" * 3000)
    staff = get_user_model().objects.create_user(username="support-1", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name="SUPPORT"))
    console = Client()
    console.force_login(staff)

    page = console.get("/console/storage/memberstorage/", {"q": member.member_id})
    detail = console.get(f"/console/storage/memberstorage/{member.pk}/change/")

    assert page.status_code == 200
    text = page.content.decode()
    assert member.member_id in text and "2.9 KB" in text
    assert "秘密の日記" not in text and "秘密の日記" not in detail.content.decode()
    assert console.post(f"/console/storage/memberstorage/{member.pk}/delete/").status_code == 403


def test_support_looking_at_a_members_usage_is_in_the_audit_log_without_file_names(
    settings, tmp_path, make_member
):
    use_local_storage(settings, tmp_path / "storage")
    member = make_member()
    upload(logged_in(member), "秘密の日記.txt", b"x" * 3000)
    staff = get_user_model().objects.create_user(username="support-2", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name="SUPPORT"))
    console = Client()
    console.force_login(staff)

    console.get("/console/storage/memberstorage/", {"q": member.member_id})
    console.get(f"/console/storage/memberstorage/{member.pk}/change/")

    lines = list(AuditLog.objects.filter(staff=staff).order_by("id"))
    assert [(line.action, line.object_type) for line in lines] == [
        ("view_list", "storage.MemberStorage"),
        ("view", "storage.MemberStorage"),
    ]
    assert lines[0].detail == f"q={member.member_id}"
    assert lines[1].object_id == str(member.pk)
    assert lines[1].customer_id == member.contract.customer_id
    assert not any("秘密" in line.detail for line in lines)
