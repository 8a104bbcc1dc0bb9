"""accounts.backends.ModelBackend and accounts.sessions.SessionStore read with written-out, prepared statements:
they must give exactly what Django's own ModelBackend and database session store give."""

import datetime

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.utils import timezone

from accounts.backends import ModelBackend
from accounts.models import User
from accounts.sessions import SessionStore


def _values(user: User) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_user_read_matches_djangos_field_by_field(users):
    user = users.liaison  # a department, a role, a password, dates
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - datetime.timedelta(days=2))
    ours, django = ModelBackend().get_user(user.pk), DjangoModelBackend().get_user(user.pk)
    assert _values(ours) == _values(django)
    assert {k: type(v) for k, v in _values(ours).items()} == {k: type(v) for k, v in _values(django).items()}
    assert isinstance(ours.last_login, datetime.datetime) and ours.last_login.tzinfo is not None
    assert ours._state.adding is False and ours._state.db == "default"


def test_a_disabled_or_missing_user_is_nobody(users):
    User.objects.filter(pk=users.director.pk).update(is_active=False)
    assert ModelBackend().get_user(users.director.pk) is None
    assert ModelBackend().get_user(999_999) is None


def test_the_session_read_matches_djangos(db):
    store = SessionStore()
    store["answer"] = 42
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == DjangoSessionStore(key).load() == {"answer": 42}
    assert SessionStore("no-such-session-key").load() == {}
    expired = SessionStore(key)
    expired.set_expiry(-1)  # already past
    expired.save()
    reader = SessionStore(key)
    assert reader.load() == {} and reader.session_key is None  # as Django: an expired session is no session
