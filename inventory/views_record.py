"""Ledger pages that record something: each parses a form, calls one service, shows its refusal or its entry."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import ClinicRequest, allow
from accounts.guards import step_up
from accounts.pages import page
from accounts.permissions import Perm
from clinical.errors import ClinicalError
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import forms as f
from . import queries, services
from .models import Discrepancy, LedgerEntry


def _witness(form: forms.Form, clinic: Any, field: str) -> Any:
    user = queries.staff_member(clinic, form.cleaned_data[field])
    if user is None:
        form.add_error(field, "No active staff member of this clinic has that username.")
    return user


def _page(request: HttpRequest, form: forms.Form, title: str, intro: str, submit: str,
          record: Callable[[], str | None]) -> HttpResponse:
    """Run `record` for a valid POST (it returns where to go next); otherwise show the form, 400 after a refusal."""
    if request.method == "POST" and form.is_valid():
        try:
            target = record()
        except (ServiceError, ClinicalError) as exc:
            show_refusal(form, exc)
        else:
            if target is not None:
                return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, "inventory/action.html", {"form": form, "title": title, "intro": intro, "submit": submit},
                  status=status)


def _entry_url(entry: LedgerEntry) -> str:
    return reverse("inventory:entry", kwargs={"entry_id": entry.pk})


@allow(Perm.KEEP_LEDGER)
def receive(request: ClinicRequest) -> HttpResponse:
    form = f.ReceiveForm(request.POST or None, clinic=request.clinic)

    def record() -> str:
        entry = services.receive_stock(by=request.user, **form.cleaned_data)
        messages.success(request, f"Received {entry.containers_count} vials of lot {entry.lot.lot_number} "
                                  f"({entry.quantity_ml} mL, {entry.quantity_mg} mg) into {entry.location}.")
        return reverse("inventory:lot", kwargs={"lot_id": entry.lot_id})

    return _page(request, form, "Receive stock", "Record vials received from a supplier (21 CFR 1304.22(c)).",
                 "Record receipt", record)


@allow(Perm.HANDLE_KETAMINE)
def draw(request: ClinicRequest) -> HttpResponse:
    initial = {"session": request.GET.get("session")} if request.GET.get("session", "").isdigit() else None
    form = f.DrawForm(request.POST or None, clinic=request.clinic, initial=initial)

    def record() -> str:
        entry = services.draw_for_session(by=request.user, **form.cleaned_data)
        messages.success(request, f"Drew {entry.quantity_ml} mL ({entry.quantity_mg} mg) from vial {entry.container.code}; "
                                  f"{entry.balance_after_ml} mL of lot {entry.lot.lot_number} left at {entry.location}.")
        return reverse("inventory:session", kwargs={"session_id": entry.session_id})

    return _page(request, form, "Draw for an infusion", "Draw from a vial for a booked infusion session.", "Record draw", record)


@allow(Perm.HANDLE_KETAMINE)
def administer(request: ClinicRequest) -> HttpResponse:
    initial = {"session": request.GET.get("session")} if request.GET.get("session", "").isdigit() else None
    form = f.AdministerForm(request.POST or None, clinic=request.clinic, initial=initial)

    def record() -> str:
        session = form.cleaned_data["session"]
        services.record_administration(session=session, mg=form.cleaned_data["mg"], by=request.user)
        messages.success(request, f"Administration of {form.cleaned_data['mg']} mg recorded.")
        return reverse("inventory:session", kwargs={"session_id": session.pk})

    return _page(request, form, "Record an administration", "The mg given to the patient, recorded once per session.",
                 "Record administration", record)


@allow(Perm.HANDLE_KETAMINE)
def waste(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    initial = {"session": request.GET.get("session")} if request.GET.get("session", "").isdigit() else None
    form = f.WasteForm(request.POST or None, clinic=clinic, initial=initial)

    def record() -> str | None:
        witness = _witness(form, clinic, "witness")
        if witness is None:
            return None
        data = form.cleaned_data
        entries = services.record_waste(session=data["session"], mg=data["mg"], manner=data["manner"], witness=witness,
                                        witness_password=data["witness_password"], note=data["note"], by=request.user)
        messages.success(request, f"Waste of {data['mg']} mg recorded, witnessed by {witness.username}.")
        return _entry_url(entries[0])

    return _page(request, form, "Waste with a witness",
                 "Leftover drug after an administration, wasted before a second authorised person who confirms with "
                 "their own password now (79 FR 53519).", "Record witnessed waste", record)


@allow(Perm.KEEP_LEDGER)
@step_up  # destruction asks for a fresh proof of identity (accounts/guards.py)
def destroy(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    form = f.DestroyForm(request.POST or None, clinic=clinic)

    def record() -> str | None:
        first, second = _witness(form, clinic, "witness"), _witness(form, clinic, "second_witness")
        if first is None or second is None:
            return None
        data = form.cleaned_data
        entries = services.destroy_stock(
            containers=list(data["containers"]), method=data["method"], place=data["place"], reason=data["reason"],
            report_ref=data["report_ref"], by=request.user,
            witnesses=[(first, data["witness_password"]), (second, data["second_witness_password"])])
        messages.success(request, f"Destruction of {len(entries)} vial(s) recorded, witnessed by {first.username} "
                                  f"and {second.username}.")
        return _entry_url(entries[0])

    return _page(request, form, "Destroy stock",
                 "Destruction of stock before two employee witnesses, with method and place (DEA Form 41).",
                 "Record destruction", record)


@allow(Perm.KEEP_LEDGER)
def loss(request: ClinicRequest) -> HttpResponse:
    form = f.LossForm(request.POST or None, clinic=request.clinic)

    def record() -> str:
        entry = services.record_loss(by=request.user, **form.cleaned_data)
        messages.success(request, f"{entry.get_loss_cause_display()} of {entry.quantity_ml} mL recorded.")
        return _entry_url(entry)

    return _page(request, form, "Record a loss or theft",
                 "A loss or theft, with the reference of the DEA Form 106 report filed.", "Record loss", record)


@allow(Perm.KEEP_LEDGER)
def transfer(request: ClinicRequest) -> HttpResponse:
    form = f.TransferForm(request.POST or None, clinic=request.clinic)

    def record() -> str:
        data = form.cleaned_data
        entries = services.transfer(containers=list(data["containers"]), to_location=data["to_location"],
                                    note=data["note"], by=request.user)
        messages.success(request, f"Moved {len(entries)} vial(s) to {data['to_location']}.")
        return reverse("inventory:home")

    return _page(request, form, "Transfer between locations", "Move vials, with what each still holds.", "Record transfer",
                 record)


@allow(Perm.HANDLE_KETAMINE)
def count(request: ClinicRequest) -> HttpResponse:
    form = f.CountForm(request.POST or None, clinic=request.clinic)

    def record() -> str:
        data = form.cleaned_data
        line = services.CountLine(lot=data["lot"], location=data["location"], sealed_containers=data["sealed_containers"],
                                  opened_containers=data["opened_containers"], opened_ml=data["opened_ml"],
                                  estimated=data["estimated"])
        done = services.record_count(line=line, note=data["note"], by=request.user)
        found = getattr(done, "discrepancy", None)
        if found is None:
            messages.success(request, f"Count recorded: {done.counted_ml} mL agrees with the ledger.")
        else:
            messages.warning(request, f"Count recorded: {done.counted_ml} mL against {done.expected_ml} mL on the books. "
                                      f"A discrepancy of {found.difference_ml} mL is open until an inventory officer resolves it.")
        return _entry_url(done.entry)

    return _page(request, form, "Count stock",
                 "Count one lot at one location. The book balance is shown only after you record what you found.",
                 "Record count", record)


@page(Perm.KEEP_LEDGER, Discrepancy)
def resolve(request: HttpRequest, found: Discrepancy) -> HttpResponse:
    form = f.ResolveForm(request.POST or None, discrepancy=found)

    def record() -> str:
        services.resolve_discrepancy(discrepancy=found, by=request.user, **form.cleaned_data)
        messages.success(request, "Discrepancy resolved.")
        return reverse("inventory:discrepancies")

    intro = (f"Lot {found.lot.lot_number} at {found.location}: counted {found.count.counted_ml} mL against "
             f"{found.count.expected_ml} mL on the books ({found.difference_ml} mL, {found.difference_mg} mg).")
    return _page(request, form, "Resolve a discrepancy", intro, "Resolve", record)


@page(Perm.KEEP_LEDGER, LedgerEntry)
def correct(request: HttpRequest, entry: LedgerEntry) -> HttpResponse:
    form = f.CorrectForm(request.POST or None)
    ml, mg = queries.in_force(entry)

    def record() -> str:
        fix = services.correct_entry(entry=entry, by=request.user, **form.cleaned_data)
        messages.success(request, f"Correction recorded as entry {fix.pk}.")
        return _entry_url(fix)

    amount = f"{mg} mg" if entry.unit == "mg" else f"{ml} mL"
    return _page(request, form, f"Correct entry {entry.pk}",
                 f"This {entry.get_kind_display().lower()} records {amount} now. Give the right amount in "
                 f"{entry.unit}; the entry stays as written and a correction pointing at it is added.",
                 "Record correction", record)
