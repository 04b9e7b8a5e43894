"""The one guard every file upload view puts in front of Django's upload handlers."""

from collections.abc import Callable

from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class UploadSizeLimit(FileUploadHandler):
    """Stops reading an upload past `limit()` bytes instead of spooling a huge file to disk.

    The view inserts it first (before the CSRF check reads the body, hence csrf_exempt outside and
    csrf_protect inside) and its form reads `request.upload_too_large` to say so beside the field.
    """

    def __init__(self, request=None, *, limit: Callable[[], int]):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit():
            self.request.upload_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def limit_uploads(request, limit: Callable[[], int]) -> None:
    request.upload_handlers.insert(0, UploadSizeLimit(request, limit=limit))
