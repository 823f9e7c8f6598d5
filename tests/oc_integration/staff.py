"""Staff users for admin tests: every view permission, and exactly the OC permissions named."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.test import Client


def staff_user(username: str, *codenames: str) -> User:
    """A staff user who may view everything and do ``codenames`` (OC permission codenames)."""
    user = User.objects.create_user(username, password=f"pw-{username}-1", is_staff=True)
    user.user_permissions.set(
        [
            *Permission.objects.filter(codename__startswith="view_"),
            *Permission.objects.filter(
                content_type__app_label="oc_integration", codename__in=codenames
            ),
        ]
    )
    return user


def staff_client(username: str, *codenames: str) -> Client:
    """A client logged in as :func:`staff_user`."""
    client = Client()
    client.force_login(staff_user(username, *codenames))
    return client
