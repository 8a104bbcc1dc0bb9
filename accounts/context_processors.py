from .models import Notification


def notifications(request) -> dict:
    """Unread count for the bell in the header: one indexed COUNT per page (notification_unread_idx)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
