"""Accounts API: clinic policy settings and staff (add, deactivate, reset password or second factor), for clinic admins."""

from typing import Any

from django.http import Http404
from ninja import Body, Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from toolkit.errors import ServiceError
from toolkit.vocab import literal_of

from . import services
from .choices import Role
from .guards import refuse_without_step_up
from .models import Membership
from .permissions import Perm
from .policy import policy_value, registry

RoleValue = literal_of(Role)

router = Router()


class StaffIn(Schema):
    username: str = Field(pattern=r"^[\w.@+-]{3,150}$")
    password: str = Field(min_length=1, max_length=200, description="Checked by the password policy (12+ characters, ...).")
    role: RoleValue
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)


class StaffOut(Schema):
    member_id: int
    username: str
    role: str
    name: str
    active: bool
    second_factor: bool


class DeactivateIn(Schema):
    reason: str = Field(min_length=5, max_length=500)


class PasswordIn(Schema):
    password: str = Field(min_length=1, max_length=200, description="Checked by the password policy (12+ characters, ...).")


def _out(m: Membership) -> dict[str, Any]:
    user = m.user
    return {"member_id": m.pk, "username": user.username, "role": m.role, "name": user.get_full_name(),
            "active": m.active and user.is_active, "second_factor": services.has_second_factor(user)}


def _member(request: ClinicRequest, member_id: int) -> Membership:
    """The clinic's member, once a person (not a token) has proved who they are in the last five minutes."""
    refuse_without_step_up(request)
    found = Membership.objects.filter(clinic=request.clinic, pk=member_id).select_related("user").first()
    if found is None:
        raise Http404("No such member of this clinic.")
    return found


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
def list_staff(request: ClinicRequest) -> list[dict[str, Any]]:
    rows = Membership.objects.filter(clinic=request.clinic).select_related("user").order_by("user__username")
    return [_out(m) for m in rows]


@router.post("/staff", response={201: StaffOut})
@api_allow(Perm.MANAGE_STAFF)
def create_staff(request: ClinicRequest, body: StaffIn) -> tuple[int, dict[str, Any]]:
    """Add a staff user; the password must pass the policy (refusals say every reason)."""
    refuse_without_step_up(request)
    user = services.create_staff(clinic=request.clinic, by=request.user, **body.dict())
    return 201, _out(Membership.objects.select_related("user").get(user=user, clinic=request.clinic))


@router.post("/staff/{member_id}/deactivate", response=StaffOut)
@api_allow(Perm.MANAGE_STAFF)
def deactivate_staff(request: ClinicRequest, member_id: int, body: DeactivateIn) -> dict[str, Any]:
    """End a member's access now: sessions and the clinic's tokens stop working (audited)."""
    m = _member(request, member_id)
    services.deactivate_staff(user=m.user, clinic=request.clinic, reason=body.reason, by=request.user)
    m.refresh_from_db()
    m.user.refresh_from_db()
    return _out(m)


@router.post("/staff/{member_id}/reactivate", response=StaffOut)
@api_allow(Perm.MANAGE_STAFF)
def reactivate_staff(request: ClinicRequest, member_id: int) -> dict[str, Any]:
    m = _member(request, member_id)
    services.reactivate_staff(user=m.user, clinic=request.clinic, by=request.user)
    m.refresh_from_db()
    m.user.refresh_from_db()
    return _out(m)


@router.post("/staff/{member_id}/password", response=StaffOut)
@api_allow(Perm.MANAGE_STAFF)
def reset_password(request: ClinicRequest, member_id: int, body: PasswordIn) -> dict[str, Any]:
    """Set a new password (policy checked); the member's sessions end and their tokens are revoked (audited)."""
    m = _member(request, member_id)
    services.reset_password(user=m.user, clinic=request.clinic, password=body.password, by=request.user)
    return _out(m)


@router.post("/staff/{member_id}/second-factor/reset", response=StaffOut)
@api_allow(Perm.MANAGE_STAFF)
def reset_second_factor(request: ClinicRequest, member_id: int) -> dict[str, Any]:
    """Remove a member's second factors (lost phone or key); they enrol again at their next sign-in (audited)."""
    m = _member(request, member_id)
    services.reset_second_factor(user=m.user, clinic=request.clinic, by=request.user)
    m.user.refresh_from_db()
    return _out(m)
