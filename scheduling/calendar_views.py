"""The calendar (week and day grid with KPIs), planning a whole course, booking a free slot, re-planning."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import ClinicRequest, allow, can
from accounts.choices import Role
from accounts.models import User
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from accounts.queries import staff_with_role
from courses.choices import CourseStatus
from courses.models import TreatmentCourse
from infusions.models import InfusionSession
from toolkit.errors import ServiceError

from . import services
from .calendar import Grid
from .kpis import calendar_kpis
from .models import Chair, SessionPlan, WaitingListEntry
from .planning import PlannedBooking
from .proposals import adjusted_problems, live_sessions, propose_course
from .replan import replan_clinic
from .waiting import waiting_for_slot


def _day(request: HttpRequest, tz: ZoneInfo) -> date | None:
    raw = request.GET.get("day", "")
    if not raw:
        return timezone.localdate(timezone=tz)
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None


@allow(Perm.BOOK_SESSIONS)
def calendar(request: ClinicRequest) -> HttpResponse:
    """The week (or day) grid: a lane per chair, nurses on shift, blocks coloured by state, KPIs of the period."""
    clinic = request.clinic
    tz = ZoneInfo(clinic.time_zone)
    day = _day(request, tz)
    if day is None:
        return render(request, "400.html", {"message": "Choose a day as YYYY-MM-DD between 1900 and 2999."}, status=400)
    view = "day" if request.GET.get("view") == "day" else "week"
    first = day if view == "day" else day - timedelta(days=day.weekday())
    days = 1 if view == "day" else 7
    grid = Grid(clinic, first, days)
    try:
        kpis = calendar_kpis(clinic, first, days)
        days_data = grid.days_data()
    except ServiceError as exc:
        return render(request, "400.html", {"message": exc.message}, status=400)
    audit_read(request, "calendar_view", clinic=clinic, first=first.isoformat(), days=days)
    step = timedelta(days=days)
    waiting = WaitingListEntry.objects.in_clinic(clinic).filter(removed_at__isnull=True).select_related("course__patient")
    return render(request, "scheduling/calendar.html", {
        "view": view, "first": first, "last": first + step - timedelta(days=1), "days": days_data,
        "times": grid.time_labels(), "kpis": kpis, "prev": first - step, "next": first + step, "tz": clinic.time_zone,
        "can_replan": can(request, Perm.REPLAN_CALENDAR), "waiting": waiting})


def _parse_bookings(request: HttpRequest, clinic: Any) -> list[PlannedBooking]:
    tz = ZoneInfo(clinic.time_zone)
    rows = zip(request.POST.getlist("chair"), request.POST.getlist("nurse"), request.POST.getlist("start"), strict=False)
    bookings = []
    for n, (chair_id, nurse_id, start) in enumerate(rows, start=1):
        chair = Chair.objects.in_clinic(clinic).filter(pk=chair_id if chair_id.isdigit() else 0).first()
        nurse = User.objects.filter(pk=nurse_id if nurse_id.isdigit() else 0, memberships__clinic=clinic).first()
        try:
            starts_at = datetime.fromisoformat(start).replace(tzinfo=tz)
        except ValueError:
            raise ServiceError("The proposal was garbled; ask for a new one.") from None
        if chair is None or nurse is None:
            raise ServiceError("The proposal names a chair or nurse that is not available; ask for a new one.")
        bookings.append(PlannedBooking(n=n, chair=chair, nurse=nurse, starts_at=starts_at))
    return bookings


def _plan_rows(bookings: list[PlannedBooking] | tuple[PlannedBooking, ...], done: int, tz: ZoneInfo) -> list[dict]:
    return [{"n": done + b.n, "b": b, "local": b.starts_at.astimezone(tz)} for b in bookings]


@page(Perm.BOOK_SESSIONS, TreatmentCourse)
def plan_course(request: ClinicRequest, course: TreatmentCourse) -> HttpResponse:
    """Propose every remaining session of the course; the user accepts, adjusts a row in place and checks it,
    or asks for the next proposal. Accepting books them all (or none)."""
    clinic = request.clinic
    tz = ZoneInfo(clinic.time_zone)
    done = len(live_sessions(course))
    context = {"course": course, "booked": done, "total": int(course.protocol_snapshot["n_infusions"]),
               "chairs": Chair.objects.in_clinic(clinic).filter(active=True),
               "nurses": staff_with_role(clinic, Role.NURSE), "error": "", "proposal": None, "rows": [],
               "checked": False, "problems": []}
    if request.method == "POST":
        try:
            if course.status != CourseStatus.ACTIVE:
                raise ServiceError("Only an active course can be booked.")
            bookings = _parse_bookings(request, clinic)
            if request.POST.get("action") == "check":
                context.update(rows=_plan_rows(bookings, done, tz), checked=True,
                               problems=adjusted_problems(course, bookings, now=timezone.now()))
                audit_read(request, "course_plan_view", clinic=clinic, patient=course.patient_id, obj=course)
                return render(request, "scheduling/plan_course.html", context)
            sessions = services.accept_course_plan(course=course, bookings=bookings, by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            if request.POST.getlist("start"):  # keep the user's adjustments on the page instead of a new proposal
                try:
                    context["rows"] = _plan_rows(_parse_bookings(request, clinic), done, tz)
                except ServiceError:
                    pass
                else:
                    return render(request, "scheduling/plan_course.html", context)
        else:
            messages.success(request, f"{len(sessions)} infusions booked.")
            first = sessions[0].scheduled_start.astimezone(tz).date()
            return redirect(f"/scheduling/calendar/?day={first.isoformat()}")
    after = None
    if request.GET.get("after"):
        try:
            after = datetime.fromisoformat(request.GET["after"][:16]).replace(tzinfo=tz)
        except ValueError:
            return render(request, "400.html", {"message": "The 'after' time must be YYYY-MM-DDTHH:MM."}, status=400)
    try:
        if course.status != CourseStatus.ACTIVE:
            raise ServiceError("Only an active course can be booked.")
        context["proposal"] = proposal = propose_course(course, now=timezone.now(), after=after)
        context["rows"] = _plan_rows(proposal.bookings, done, tz)
    except ServiceError as exc:
        context["error"] = exc.message
    audit_read(request, "course_plan_view", clinic=clinic, patient=course.patient_id, obj=course)
    return render(request, "scheduling/plan_course.html", context, status=200)


@allow(Perm.BOOK_SESSIONS)
def book_slot(request: ClinicRequest) -> HttpResponse:
    """A free slot clicked on the calendar: book it for a course waiting for it (waiting list first)."""
    clinic = request.clinic
    tz = ZoneInfo(clinic.time_zone)
    source = request.POST if request.method == "POST" else request.GET
    chair = Chair.objects.in_clinic(clinic).filter(pk=source.get("chair", "") if source.get("chair", "").isdigit()
                                                   else 0).first()
    try:
        starts_at = datetime.fromisoformat(source.get("start", "")[:16]).replace(tzinfo=tz)
    except ValueError:
        starts_at = None
    if chair is None or starts_at is None:
        return render(request, "400.html", {"message": "Choose a free slot on the calendar."}, status=400)
    if request.method == "POST":
        course = TreatmentCourse.objects.in_clinic(clinic).filter(
            pk=source.get("course", "") if source.get("course", "").isdigit() else 0).first()
        try:
            if course is None:
                raise ServiceError("Choose the course to book.")
            session = services.book_session(course=course, chair=chair, starts_at=starts_at, by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            entry = WaitingListEntry.objects.filter(course=course, removed_at__isnull=True).first()
            if entry is not None and can(request, Perm.MANAGE_WAITING_LIST):
                services.leave_waiting_list(entry=entry, by=request.user)
            messages.success(request, f"Infusion {session.number} booked for {course.patient.full_name}.")
            return redirect(f"/scheduling/calendar/?day={starts_at.date().isoformat()}")
    waiting = waiting_for_slot(clinic, chair, starts_at)
    others = [c for c in TreatmentCourse.objects.in_clinic(clinic).filter(status=CourseStatus.ACTIVE)
              .select_related("patient") if c not in waiting]
    audit_read(request, "slot_view", clinic=clinic, chair=chair.pk, start=starts_at.isoformat())
    return render(request, "scheduling/book_slot.html", {"chair": chair, "starts_at": starts_at,
                                                         "start": starts_at.strftime("%Y-%m-%dT%H:%M"),
                                                         "waiting": waiting, "others": others})


@allow(Perm.REPLAN_CALENDAR)
def replan(request: ClinicRequest) -> HttpResponse:
    """The clinic admin's re-plan button: move unconfirmed future bookings to shorten waits."""
    clinic = request.clinic
    if request.method != "POST":
        return redirect("scheduling:calendar")
    try:
        before = calendar_kpis(clinic, timezone.localdate(timezone=ZoneInfo(clinic.time_zone)), 28)
        result = replan_clinic(clinic, now=timezone.now(), days=28, seconds=10)
        moved = services.apply_replan(clinic=clinic, moves=list(result.moves), by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        after = calendar_kpis(clinic, timezone.localdate(timezone=ZoneInfo(clinic.time_zone)), 28)
        messages.success(request, f"Re-planned {moved} booking(s); mean wait to first infusion "
                                  f"{before['mean_wait_days']} → {after['mean_wait_days']} days.")
    return redirect("scheduling:calendar")


@page(Perm.BOOK_SESSIONS, InfusionSession)
def booking(request: ClinicRequest, session: InfusionSession) -> HttpResponse:
    """A booking opened from the calendar: confirm it, cancel it (then offer its slot to the waiting list)."""
    clinic = request.clinic
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            services.confirm_session(session=session, by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Confirmed with the patient: a re-plan keeps this booking where it is.")
        return redirect("scheduling:booking", session_id=session.pk)
    if request.method == "POST":
        try:
            services.cancel_session(session=session, reason=request.POST.get("reason", ""), by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Booking cancelled; the slot is offered to the waiting list below.")
            start = session.scheduled_start.astimezone(ZoneInfo(clinic.time_zone)).strftime("%Y-%m-%dT%H:%M")
            return redirect(f"/scheduling/slot/?chair={session.chair_id}&start={start}")
    audit_read(request, "booking_view", clinic=clinic, patient=session.patient_id, obj=session)
    confirmed = SessionPlan.objects.filter(session=session, confirmed=True).exists()
    return render(request, "scheduling/cancel.html", {"session": session, "confirmed": confirmed})


@page(Perm.BOOK_SESSIONS, TreatmentCourse)
def wait(request: ClinicRequest, course: TreatmentCourse) -> HttpResponse:
    """Put a course on the waiting list for an earlier slot."""
    if request.method == "POST":
        try:
            services.join_waiting_list(course=course, note=request.POST.get("note", ""), by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "On the waiting list: a cancellation will offer its slot.")
    return redirect("scheduling:plan_course", course_id=course.pk)
