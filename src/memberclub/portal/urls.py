"""Portal routes, mounted at the site root."""

from django.urls import path

from memberclub.portal.views import auth, dev, member, registration, unsubscribe
from memberclub.portal.views import settings as member_settings

app_name = "portal"

urlpatterns = [
    path("", member.top_view, name="top"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", auth.language_view, name="language"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("register/", registration.register_view, name="register"),
    path("register/email/", registration.register_email_view, name="register_email"),
    path(
        "register/complete/<str:token>/",
        registration.signup_complete_view,
        name="signup_complete",
    ),
    path("register/easy/", registration.easy_view, name="easy"),
    path("auth-key/", member.auth_key_view, name="auth_key"),
    path("contract/", member.contract_view, name="contract"),
    path("history/", member.history_view, name="history"),
    path("settings/", member_settings.settings_view, name="settings"),
    path("settings/email/", member_settings.email_change_view, name="email_change"),
    path(
        "settings/email/confirm/<str:token>/",
        member_settings.email_confirm_view,
        name="email_confirm",
    ),
    path("settings/password/", member_settings.password_change_view, name="password_change"),
    path("settings/preferences/", member_settings.preferences_view, name="preferences"),
    path(
        "settings/devices/<int:device_id>/revoke/",
        member_settings.device_revoke_view,
        name="device_revoke",
    ),
    path("leave/", member.leave_view, name="leave"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe_view, name="unsubscribe"),
    # Answers only in demo mode (404 otherwise).
    path("dev/outbox", dev.outbox_view, name="outbox"),
]
