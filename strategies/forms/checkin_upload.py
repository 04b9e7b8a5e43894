"""The bulk upload of check-ins: the file, then the confirmation that carries it signed."""

import base64
import zlib

from crispy_forms.helper import FormHelper
from django import forms
from django.core import signing
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ..checkin_upload import MAX_BYTES, MAX_ROWS, too_large_message

# How long a preview may wait for its confirmation.
CONFIRM_MAX_AGE = 60 * 60


class CheckInUploadForm(forms.Form):
    """The CSV file; what it holds is read by strategies/checkin_upload.py."""

    file = forms.FileField(label=_("CSV file"), widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A header row, then one check-in per row: date, KPI (its metric or key), value and, if you like, "
            "comment. Commas or semicolons; UTF-8; at most %(rows)s rows and %(size)s MiB."
        ) % {"rows": formats.number_format(MAX_ROWS, force_grouping=True), "size": MAX_BYTES // (1024 * 1024)}
        self.too_large = too_large
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        # The upload handler stopped reading a file over the limit, so the field looks empty.
        if self.too_large:
            self.errors.pop("file", None)
            self.add_error("file", too_large_message())
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(too_large_message())
        self.cleaned_data["data"] = upload.read()
        return upload


def _signer(project, user) -> signing.TimestampSigner:
    # Bound to the project and the uploader: a token cannot be replayed elsewhere or by someone else.
    return signing.TimestampSigner(salt=f"strategies.checkin_upload:{project.pk}:{user.pk}")


def upload_token(data: bytes, *, project, user) -> str:
    """The uploaded file, compressed and signed, for the confirmation's hidden field.

    The file travels back with the confirmation rather than being kept on the server; the
    signature means it comes back as uploaded, and the confirmation reads and checks it again.
    """
    packed = base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii")
    return _signer(project, user).sign(packed)


def uploaded_data(token: str, *, project, user) -> bytes | None:
    """The file a token carries, or None when it is not valid (forged, expired, someone else's)."""
    try:
        packed = _signer(project, user).unsign(token, max_age=CONFIRM_MAX_AGE)
        decompressor = zlib.decompressobj()
        # Bounded: a valid token carries at most MAX_BYTES, and nothing else is decompressed.
        data = decompressor.decompress(base64.urlsafe_b64decode(packed.encode("ascii")), MAX_BYTES + 1)
    except (signing.BadSignature, ValueError, zlib.error):
        return None
    return data if len(data) <= MAX_BYTES else None


class CheckInConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
