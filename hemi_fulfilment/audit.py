"""What people did, in the admin's History of the object they did it to.

Authorizing, syncing, pushing, cancelling, applying and replaying change things at OC or
eBay, so each is written to Django's ``LogEntry`` of the record it touched: the History
button of that record then answers "who did this, and when?".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import Model
from django.http import HttpRequest


def record_in_history(request: HttpRequest, objects: Iterable[Model], message: str) -> None:
    """Write ``message`` to the History of each of ``objects``, as done by the request's user.

    One insert for any number of objects. Anonymous requests (which never reach an admin
    action) write nothing.
    """
    user_id = getattr(request.user, "pk", None)
    targets = [obj for obj in objects if obj.pk is not None]
    if user_id is None or not targets:
        return
    LogEntry.objects.log_actions(
        user_id=user_id, queryset=targets, action_flag=CHANGE, change_message=message
    )
