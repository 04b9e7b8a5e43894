"""Which incoming-webhook URLs a project may send to, and sending there without being turned inward (SSRF).

A webhook URL is typed by a consultant, so it is untrusted: pointed at 127.0.0.1, the cloud's
metadata address (169.254.169.254) or a host on the private network, our worker would make
requests into our own infrastructure for them. Only `https` URLs on the standard port whose host
resolves to public addresses only are accepted; the check runs when the URL is saved and again
right before each send (DNS can change meanwhile). The send then connects to the very address that
was checked (the host name still goes into SNI, the certificate check and the Host header), so a
DNS answer that changes between the check and the connection (rebinding) cannot redirect it.
Redirects are never followed: a 3xx answer is a failure.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.utils.translation import gettext_lazy as _

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
# The cloud metadata services: refused by name even where a network would call them global.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}


class UnsafeWebhookURL(ValueError):
    """The URL may not be used; the message says why, for the form and the settings page."""


class WebhookSendFailed(Exception):
    """The service did not take the message. `temporary`: worth another attempt later."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global unicast only: no loopback, private, link-local, reserved, multicast or metadata address.

    An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged by the IPv4 address it carries.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return False
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    ):
        return False
    return address.is_global


@dataclass(frozen=True)
class CheckedURL:
    host: str
    path: str
    address: str  # the public address the check resolved, which the send connects to


def check_webhook_url(url: str) -> CheckedURL:
    """The URL's host and one of its (all public) addresses; raises UnsafeWebhookURL otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeWebhookURL(_("This is not a valid URL.")) from error
    if parts.scheme != "https":
        raise UnsafeWebhookURL(_("Only https:// webhook URLs are accepted."))
    host = parts.hostname or ""
    if not host:
        raise UnsafeWebhookURL(_("The URL names no host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookURL(_("A webhook URL must not contain a user name or password."))
    if port not in (None, 443):
        raise UnsafeWebhookURL(_("Only the standard https port (443) is accepted."))
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise UnsafeWebhookURL(_("The host of this URL could not be found.")) from error
    addresses = []
    for info in infos:
        # The scope of a link-local IPv6 address ("fe80::1%eth0") is not part of the address.
        text = str(info[4][0]).split("%", 1)[0]
        try:
            addresses.append(ipaddress.ip_address(text))
        except ValueError as error:
            raise UnsafeWebhookURL(_("The host of this URL could not be found.")) from error
    if not addresses:
        raise UnsafeWebhookURL(_("The host of this URL could not be found."))
    # Every address must be public: the connection could otherwise go to any one of them.
    if not all(is_public_address(address) for address in addresses):
        raise UnsafeWebhookURL(
            _("This URL points into a private or local network; only public services can receive webhooks.")
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return CheckedURL(host=host, path=path, address=str(addresses[0]))


def post_json(url: str, payload: dict) -> int:
    """POST `payload` as JSON to a checked URL, connecting to the checked address; returns the status.

    Raises UnsafeWebhookURL (the URL is refused now) or WebhookSendFailed.
    """
    checked = check_webhook_url(url)
    pool = urllib3.HTTPSConnectionPool(
        host=checked.address,
        port=443,
        server_hostname=checked.host,
        assert_hostname=checked.host,
        cert_reqs="CERT_REQUIRED",
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
        retries=False,
        maxsize=1,
    )
    try:
        response = pool.urlopen(
            "POST",
            checked.path,
            body=json.dumps(payload).encode(),
            headers={"Host": checked.host, "Content-Type": "application/json"},
            redirect=False,
            assert_same_host=False,
            retries=False,
            preload_content=True,
        )
    except urllib3.exceptions.HTTPError as error:
        raise WebhookSendFailed(
            str(_("The webhook service could not be reached (%(error)s).") % {"error": type(error).__name__}),
            temporary=True,
        ) from error
    finally:
        pool.close()
    status = response.status
    if 300 <= status < 400:
        raise WebhookSendFailed(
            str(
                _("The webhook service answered with a redirect (%(status)s), which is not followed.")
                % {"status": status}
            ),
            temporary=False,
        )
    if status >= 400:
        raise WebhookSendFailed(
            str(_("The webhook service refused the message (HTTP %(status)s).") % {"status": status}),
            temporary=status == 429 or status >= 500,
        )
    return status
