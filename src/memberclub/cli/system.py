"""The account that the audit log names for what a command did rather than a person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

SYSTEM_USERNAME = "memberclub-system"


def system_user() -> AbstractBaseUser:
    """The inactive user that stands for scheduled commands in the audit log."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "password": "!"}
    )
    return user
