"""The web container's health probe: GET /healthz/ on this container; exit 0 on HTTP 200.

Sends the first of DJANGO_ALLOWED_HOSTS as Host (Django refuses other hosts) and says the
request came over HTTPS, as the TLS proxy does. /healthz/ answers 503 when the database is down.
"""

import os
import sys
import urllib.error
import urllib.request

host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
if host in ("", "*"):
    host = "localhost"
url = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz/")
request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})  # noqa: S310
try:
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as error:
    print(f"healthz: {error}", file=sys.stderr)
    sys.exit(1)
