import time

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .middleware import IdleSessionMiddleware
from .models import UserSession
from .services import session_record


@receiver(user_logged_in, dispatch_uid="accounts_session_record")
def _record_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_record(user=user, session_key=request.session.session_key)
        request.session[IdleSessionMiddleware.KEY] = int(time.time())  # saved with the sign-in


@receiver(user_logged_out, dispatch_uid="accounts_session_forget")
def _forget_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
