from django import template

from ..models import Role, VersionStatus

register = template.Library()

_STATUS_LABELS = dict(VersionStatus.choices)
_ROLE_LABELS = dict(Role.choices)


@register.filter
def version_status_label(status: str | None) -> str:
    return str(_STATUS_LABELS.get(status, "")) if status else ""


@register.filter
def role_label(role: str | None) -> str:
    return str(_ROLE_LABELS.get(role, "")) if role else ""
