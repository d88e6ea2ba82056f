"""Accounts API: clinic policy settings and staff, for clinic admins."""

from typing import Any

from ninja import Body, Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from toolkit.errors import ServiceError
from toolkit.vocab import literal_of

from . import services
from .choices import Role
from .models import Membership
from .permissions import Perm
from .policy import policy_value, registry

RoleValue = literal_of(Role)

router = Router()


class StaffIn(Schema):
    username: str = Field(pattern=r"^[\w.@+-]{3,150}$")
    password: str = Field(min_length=10, max_length=200)
    role: RoleValue
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)


class StaffOut(Schema):
    username: str
    role: str
    name: str


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, int | str | list | bool) else str(value)


@router.get("/policy", response=dict[str, Any])
@api_allow(Perm.MANAGE_CLINIC)
def get_policy(request: ClinicRequest) -> dict[str, Any]:
    """Every clinic setting with its current value (defaults where unset)."""
    return {key: _jsonable(policy_value(request.clinic, key)) for key in sorted(registry())}


@router.patch("/policy", response=dict[str, Any])
@api_allow(Perm.MANAGE_CLINIC)
def update_policy(request: ClinicRequest, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Change some settings; all are checked first and nothing is stored if one is refused."""
    errors = services.update_policy(clinic=request.clinic, values=body, by=request.user)
    if errors:
        raise ServiceError("Some settings were refused; nothing was saved.", errors)
    return get_policy(request)


@router.get("/staff", response=list[StaffOut])
@api_allow(Perm.MANAGE_STAFF)
def list_staff(request: ClinicRequest) -> list[dict[str, str]]:
    rows = Membership.objects.filter(clinic=request.clinic).select_related("user").order_by("user__username")
    return [{"username": m.user.username, "role": m.role, "name": m.user.get_full_name()} for m in rows]


@router.post("/staff", response={201: StaffOut})
@api_allow(Perm.MANAGE_STAFF)
def create_staff(request: ClinicRequest, body: StaffIn) -> tuple[int, dict[str, str]]:
    user = services.create_staff(clinic=request.clinic, by=request.user, **body.dict())
    return 201, {"username": user.username, "role": body.role, "name": user.get_full_name()}
