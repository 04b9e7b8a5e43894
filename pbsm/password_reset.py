"""Django's password reset, with limits on the e-mails it sends.

Without limits anyone could make the site mail an account again and again (a nuisance for
its owner, and a way to get the site's mail marked as spam), or probe many addresses from
one place. Per account: at most PASSWORD_RESET_ACCOUNT_LIMIT e-mails an hour; beyond that
nothing is sent, and the page answers exactly as for an unknown address, so the limit
reveals nothing about which addresses have an account. Per client address: at most
PASSWORD_RESET_ADDRESS_LIMIT requests an hour, known address or not; beyond that the form
says so (which tells nothing about any account).
"""

import logging

from django.conf import settings
from django.contrib.auth import forms, views
from django.utils.translation import gettext as _

from .auth import client_ip_address
from .throttle import within_limit

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600


class PasswordResetForm(forms.PasswordResetForm):
    def get_users(self, email):
        for user in super().get_users(email):
            if within_limit(
                "password-reset-account",
                str(user.pk),
                limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT,
                window_seconds=WINDOW_SECONDS,
            ):
                yield user
            else:
                logger.warning("Password reset e-mail to user %s not sent: the hourly limit is reached.", user.pk)


class PasswordResetView(views.PasswordResetView):
    form_class = PasswordResetForm

    def form_valid(self, form):
        address = client_ip_address(self.request)
        if not within_limit(
            "password-reset-address",
            address,
            limit=settings.PASSWORD_RESET_ADDRESS_LIMIT,
            window_seconds=WINDOW_SECONDS,
        ):
            logger.warning("Password reset from %s refused: the hourly limit is reached.", address)
            form.add_error(
                "email",
                _("Too many password reset requests from your network address. Please try again in an hour."),
            )
            return self.form_invalid(form)
        return super().form_valid(form)
