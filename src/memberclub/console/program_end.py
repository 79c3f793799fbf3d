"""The console's program-end page: ADMIN schedules or withdraws the end of a program (audited)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from memberclub.console.audit import audit_record
from memberclub.console.roles import ADMIN
from memberclub.domain.errors import Refused
from memberclub.domain.program_end import EndDates, EndRefused
from memberclub.jobs.program_end import program_end_announce, program_end_cancel
from memberclub.programs.ending import program_end_in_force
from memberclub.programs.selectors import program_codes

REFUSALS = {
    "out_of_order": (
        "日付の順序が正しくありません（告知日 ≦ 入会受付終了日 ≦ 終了日、"
        "最終付与月は終了日より前）。"
    ),
    "already_scheduled": (
        "このプログラムには既に終了が予定されています。取り消してから設定してください。"
    ),
    "none_scheduled": "このプログラムに予定されている終了はありません。",
    "ended": "終了日を過ぎているため取り消せません。",
    "month": "最終付与月は年月で指定してください。",
}


class ProgramEndForm(forms.Form):
    """The four dates of a program end (SPEC §3.4)."""

    announce_on = forms.DateField(label="告知日", widget=forms.DateInput(attrs={"type": "date"}))
    registration_closes_on = forms.DateField(
        label="入会受付終了日（この日から登録不可）", widget=forms.DateInput(attrs={"type": "date"})
    )
    last_accrual_month = forms.DateField(
        label="ポイント付与の最終月",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    ends_on = forms.DateField(
        label="終了日（この日から交換不可・全ポイント失効）",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _message(error: Refused) -> str:
    """The refusal in the console's language."""
    if isinstance(error, EndRefused):
        if error.code == "short_notice":
            return f"終了日は告知日から{error.notice_days}日以上後にしてください（告知期間）。"
        return REFUSALS.get(error.code, str(error))
    return str(error)


def is_admin(request: HttpRequest) -> bool:
    """Whether the staff member may end a program (ADMIN, or a superuser)."""
    user = request.user
    return bool(user.is_superuser or user.groups.filter(name=ADMIN).exists())


def program_end_view(request: HttpRequest, program: str) -> HttpResponse:
    """Show the program's end, schedule one or withdraw it; every change is audit-logged."""
    if not is_admin(request):
        raise PermissionDenied
    if program not in program_codes():
        raise PermissionDenied
    staff = request.user
    assert isinstance(staff, AbstractBaseUser)
    form = ProgramEndForm(request.POST if "schedule" in request.POST else None)
    today = timezone.localdate()
    try:
        if "schedule" in request.POST and form.is_valid():
            dates = EndDates(**form.cleaned_data)
            outcome = program_end_announce(
                program=program, dates=dates, by=staff.get_username(), on=today
            )
            audit_record(
                staff=staff,
                action="program_end",
                object_type="programs.ProgramEnd",
                object_id=outcome.end.pk,
                detail=_detail(outcome.as_dict()),
            )
            messages.success(
                request,
                f"終了を予定しました。会員へのお知らせ{outcome.as_dict()['queued']:,}通を送信待ちにしました。",
            )
            return HttpResponseRedirect(request.path)
        if "cancel" in request.POST:
            outcome = program_end_cancel(program=program, on=today)
            audit_record(
                staff=staff,
                action="program_end_cancel",
                object_type="programs.ProgramEnd",
                object_id=outcome.end.pk,
                detail=_detail(outcome.as_dict()),
            )
            messages.success(request, "予定していた終了を取り消しました。会員にお知らせします。")
            return HttpResponseRedirect(request.path)
    except Refused as error:
        form.add_error(None, _message(error))
    context = {
        **admin.site.each_context(request),
        "title": f"プログラムの終了（{program}）",
        "program": program,
        "end": program_end_in_force(program=program),
        "form": form,
        "back": reverse("admin:index"),
    }
    return render(request, "console/program_end.html", context)


def _detail(result: dict[str, Any]) -> str:
    keys = ("announce_on", "registration_closes_on", "last_accrual_month", "ends_on", "queued")
    return " ".join(f"{key}={result[key]}" for key in keys)
