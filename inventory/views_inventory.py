"""The page that takes an initial or biennial inventory: one line per lot and location on the books."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest
from clinical.errors import ClinicalError
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import queries, services
from .forms import InventoryForm, InventoryLineFormSet
from .models import Location, Lot


def _book(clinic: Any) -> list[dict[str, Any]]:
    return [{"lot": r.lot.pk, "location": r.location.pk, "sealed_containers": r.sealed, "opened_containers": r.opened,
             "opened_ml": 0, "label": f"{r.lot.product.name} {r.lot.product.strength_mg_per_ml} mg/mL · lot "
                                      f"{r.lot.lot_number} · {r.location}"} for r in queries.balances(clinic)]


def _lines(clinic: Any, formset: Any) -> list[services.CountLine]:
    lots = Lot.objects.in_clinic(clinic).select_related("product").in_bulk()
    places = Location.objects.in_clinic(clinic).in_bulk()
    lines = []
    for data in formset.cleaned_data:
        if data["lot"] not in lots or data["location"] not in places:
            raise ServiceError("The inventory lists a lot or location that is not of this clinic.")
        lines.append(services.CountLine(lot=lots[data["lot"]], location=places[data["location"]],
                                        sealed_containers=data["sealed_containers"], opened_ml=data["opened_ml"],
                                        opened_containers=data["opened_containers"], estimated=data["estimated"]))
    return lines


def take_inventory_page(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    book = _book(clinic)
    kind = "initial" if queries.last_inventory(clinic) is None else "biennial"
    form = InventoryForm(request.POST or None, initial={"kind": kind})
    formset = InventoryLineFormSet(request.POST or None, initial=[{k: v for k, v in b.items() if k != "label"} for b in book],
                                   prefix="line")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            inventory = services.take_inventory(clinic=clinic, lines=_lines(clinic, formset), by=request.user,
                                                **form.cleaned_data)
        except (ServiceError, ClinicalError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"{inventory.get_kind_display()} recorded.")
            return redirect("inventory:inventory", inventory_id=inventory.pk)
    rows = [{"form": line, "label": book[i]["label"] if i < len(book) else ""} for i, line in enumerate(formset.forms)]
    return render(request, "inventory/inventory_new.html", {"form": form, "formset": formset, "rows": rows},
                  status=400 if request.method == "POST" else 200)
