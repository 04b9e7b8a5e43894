"""Django's model backend, loading the signed-in user with a statement compiled once per process.

Every authenticated request loads its user; the ORM would rebuild the same
SQL each time. The compiled statement is reused with the user's id, and the
row still becomes a normal user through raw(). Everything else is Django's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

_STAND_IN_PK = -7_654_321
_compiled: dict[str, tuple[str, tuple]] = {}


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        using = router.db_for_read(model)
        vendor = connections[using].vendor
        if vendor not in _compiled:
            _compiled[vendor] = model._default_manager.filter(pk=_STAND_IN_PK).query.sql_with_params()
        sql, params = _compiled[vendor]
        users = list(model._default_manager.raw(sql, [pk if p == _STAND_IN_PK else p for p in params], using=using))
        if not users:
            return None
        return users[0] if self.user_can_authenticate(users[0]) else None
