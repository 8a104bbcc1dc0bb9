"""Writes about users: sessions, disabling, passwords set by an administrator."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from .models import User, UserSession


def session_record(*, user: User, session_key: str | None) -> None:
    """Remember that this session belongs to this user (called at sign-in and when the key is rotated)."""
    if not session_key:
        return
    UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})
    # Forget this user's sessions that have ended (expired, rotated or signed out elsewhere): the table stays small.
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()


@transaction.atomic
def user_sessions_end(*, user_ids: list[int]) -> int:
    """End every session of these users at once; returns how many sessions were ended."""
    keys = UserSession.objects.filter(user_id__in=user_ids).values("session_key")
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user_id__in=user_ids).delete()
    return deleted


@transaction.atomic
def users_disable(*, user_ids: list[int]) -> int:
    """Disable these users (they can no longer sign in) and end all their sessions; nothing is deleted."""
    changed = User.objects.filter(pk__in=user_ids, is_active=True).update(is_active=False)
    user_sessions_end(user_ids=user_ids)
    return changed


def password_changed_by_user(*, user: User) -> None:
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
