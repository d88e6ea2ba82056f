"""The permission table is pinned here cell by cell; views, API, services and the menu all read it."""

import pytest
from django.urls import reverse

from accounts.access import allow, api_allow
from accounts.choices import Role
from accounts.permissions import DESCRIPTIONS, ROLE_PERMISSIONS, Perm, has_perm, permissions_of, roles_with
from accounts.queries import require
from toolkit.errors import ServiceError

# Who may do what, as the clinic runs today. A change here is a change of policy: review it as one.
PINNED = """
permission               presc nurse  ther  desk admin   inv   res
view_patients                x     x     x     x     x     .     .
register_patients            x     x     .     x     x     .     .
take_history                 x     x     x     x     .     .     .
screen_eligibility           x     x     .     .     .     .     .
sign_screening               x     .     .     .     .     .     .
view_courses                 x     x     x     x     x     .     .
order_course                 x     .     .     .     .     .     .
end_course                   x     .     .     .     .     .     .
book_sessions                x     x     .     x     x     .     .
back_enter_session           x     .     .     .     .     .     .
record_availability          x     x     .     x     x     .     .
manage_waiting_list          x     .     .     x     x     .     .
manage_nurse_shifts          .     .     .     .     x     .     .
replan_calendar              .     .     .     .     x     .     .
view_protocols               x     x     .     .     x     .     .
manage_protocols             x     .     .     .     x     .     .
manage_chairs                .     .     .     .     x     .     .
open_sessions                x     x     .     .     .     .     .
check_in                     x     x     .     .     .     .     .
verify_dose                  x     x     .     .     .     .     .
control_infusion             x     x     .     .     .     .     .
record_vitals                x     x     .     .     .     .     .
record_side_effects          x     x     .     .     .     .     .
record_adverse_events        x     x     .     .     .     .     .
discharge                    x     x     .     .     .     .     .
write_session_notes          x     x     .     .     .     .     .
override_safety_limits       x     .     .     .     .     .     .
sign_session                 .     x     .     .     .     .     .
cosign_session               x     .     .     .     .     .     .
view_session_records         x     x     x     .     .     .     .
triage_monitor_messages      x     x     .     .     .     .     .
view_alerts                  x     x     x     .     .     .     .
acknowledge_alerts           x     x     x     .     .     .     .
review_alerts                x     .     .     .     .     .     .
view_questionnaires          x     x     x     .     .     .     .
record_questionnaires        x     x     x     .     .     .     .
send_questionnaire_links     x     x     x     x     .     .     .
import_wording               .     .     .     .     x     .     .
view_therapy                 x     x     x     .     .     .     .
record_therapy               x     .     x     .     .     .     .
view_ledger                  x     x     .     .     x     x     .
handle_ketamine              .     x     .     .     .     x     .
witness_ketamine             x     x     .     .     .     x     .
keep_ledger                  .     .     .     .     .     x     .
view_outcomes                x     .     .     .     x     .     x
read_fhir                    x     x     x     x     x     .     .
file_fhir_referrals          x     .     .     x     x     .     .
manage_clinic                .     .     .     .     x     .     .
manage_staff                 .     .     .     .     x     .     .
view_audit_log               .     .     .     .     x     .     .
view_permissions             .     .     .     .     x     .     .
"""
COLUMNS = {"presc": Role.PRESCRIBER, "nurse": Role.NURSE, "ther": Role.THERAPIST, "desk": Role.FRONT_DESK,
           "admin": Role.CLINIC_ADMIN, "inv": Role.INVENTORY_OFFICER, "res": Role.RESEARCHER}


def _pinned() -> dict[tuple[str, str], bool]:
    header, *rows = PINNED.strip().splitlines()
    roles = [COLUMNS[c] for c in header.split()[1:]]
    cells = {}
    for row in rows:
        name, *marks = row.split()
        assert len(marks) == len(roles), row
        cells |= {(name, str(role)): mark == "x" for role, mark in zip(roles, marks, strict=True)}
    return cells


PINNED_CELLS = _pinned()


def test_pinned_table_names_every_permission_and_every_role_once():
    assert {name for name, _ in PINNED_CELLS} == {p.value for p in Perm}
    assert {role for _, role in PINNED_CELLS} == set(Role.values)
    assert len(PINNED_CELLS) == len(Perm) * len(Role.values)


@pytest.mark.parametrize(("perm", "role"), [(p, r) for p in Perm for r in Role.values], ids=lambda x: str(x))
def test_each_role_holds_exactly_the_pinned_permissions(perm, role):
    assert has_perm(role, perm) is PINNED_CELLS[(perm.value, role)]


def test_the_table_lists_every_role():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_every_permission_is_held_by_some_role():
    assert [p for p in Perm if not roles_with(p)] == []


def test_every_permission_has_a_one_line_description():
    for perm in Perm:
        text = DESCRIPTIONS[perm]
        assert text and "\n" not in text and text.endswith("."), perm
        assert perm.description == text


def test_no_role_and_an_unknown_role_hold_nothing():
    assert permissions_of(None) == frozenset()
    assert permissions_of("") == frozenset()
    assert permissions_of("janitor") == frozenset()
    assert not has_perm("janitor", Perm.VIEW_PATIENTS)


def test_roles_with_is_the_table_read_by_columns():
    for perm in Perm:
        assert roles_with(perm) == {r for r in Role.values if PINNED_CELLS[(perm.value, r)]}


def test_view_and_api_decorators_take_their_roles_from_the_table():
    def view(request):
        return None

    page, operation = allow(Perm.RECORD_VITALS)(view), api_allow(Perm.RECORD_VITALS)(view)
    assert page.permission == operation.permission == Perm.RECORD_VITALS
    assert page.allowed_roles == operation.allowed_roles == {Role.PRESCRIBER, Role.NURSE}


def test_allow_refuses_a_name_outside_the_table():
    with pytest.raises(ValueError, match="is not a valid Perm"):
        allow("record_everything")


@pytest.mark.django_db
def test_service_check_follows_the_table_for_every_role_and_permission(world):
    for role, user in world.users.items():
        for perm in Perm:
            if PINNED_CELLS[(perm.value, role)]:
                assert require(perm, user, world.a) == role
            else:
                with pytest.raises(ServiceError, match="Your role does not allow you to"):
                    require(perm, user, world.a)


@pytest.mark.django_db
def test_service_check_refuses_a_member_of_another_clinic_and_a_process_name(world):
    with pytest.raises(ServiceError):
        require(Perm.RECORD_VITALS, world.b_users[Role.NURSE], world.a)
    with pytest.raises(ServiceError):
        require(Perm.RECORD_VITALS, "hl7-listener", world.a)


@pytest.mark.django_db
def test_service_refusal_names_the_action(world):
    with pytest.raises(ServiceError, match="does not allow you to record vital signs"):
        require(Perm.RECORD_VITALS, world.users[Role.THERAPIST], world.a, to="record vital signs")
    with pytest.raises(ServiceError, match="does not allow you to record vitals"):
        require(Perm.RECORD_VITALS, world.users[Role.THERAPIST], world.a)


@pytest.mark.django_db
def test_clinic_admin_sees_the_table_with_roles_as_columns_and_descriptions(client_for):
    page = client_for(Role.CLINIC_ADMIN).get(reverse("accounts:permissions"))
    assert page.status_code == 200
    html = page.content.decode()
    for role in Role:
        assert f'<th scope="col">{role.label}</th>' in html
    for perm in Perm:
        assert f'data-code="{perm.value}"' in html
        assert perm.description.replace("'", "&#x27;") in html
    allowed = html.count('aria-label="allowed"')
    assert allowed == sum(PINNED_CELLS.values())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.CLINIC_ADMIN])
def test_only_the_clinic_admin_may_open_the_table(client_for, role):
    assert client_for(role).get(reverse("accounts:permissions")).status_code == 403


@pytest.mark.django_db
def test_the_table_page_only_answers_get(client_for):
    assert client_for(Role.CLINIC_ADMIN).post(reverse("accounts:permissions")).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "shown", "hidden"), [
    (Role.NURSE, {"Alerts", "Schedule", "Ledger"}, {"Outcomes", "Audit"}),
    (Role.THERAPIST, {"Patients", "Due"}, {"Alerts", "Schedule", "Ledger"}),
    (Role.CLINIC_ADMIN, {"Clinic", "Audit", "Protocols"}, {"Alerts"}),
    (Role.RESEARCHER, {"Outcomes"}, {"Patients", "Dashboard"}),
])
def test_the_menu_offers_what_the_role_may_open(client_for, role, shown, hidden):
    from ketacare.context import NAV

    page = client_for(role).get(reverse("accounts:tokens"))
    labels = {label for label, _, _ in NAV if f">{label}</a>" in page.content.decode()}
    assert shown <= labels and not (hidden & labels), labels
