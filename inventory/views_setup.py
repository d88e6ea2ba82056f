"""The setup page: the products, suppliers and storage locations receipts and counts refer to."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import services
from .forms import LocationForm, ProductForm, SupplierForm
from .models import Location, Product, Supplier

FORMS = {"product": (ProductForm, services.add_product), "supplier": (SupplierForm, services.add_supplier),
         "location": (LocationForm, services.add_location)}


def setup_page(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    which = request.POST.get("which", "") if request.method == "POST" else ""
    forms = {name: cls(request.POST if name == which else None, prefix=name) for name, (cls, _) in FORMS.items()}
    if request.method == "POST":
        form = forms.get(which)
        if form is None:
            messages.error(request, "Choose what to add.")
        elif form.is_valid():
            try:
                FORMS[which][1](clinic=clinic, by=request.user, **form.cleaned_data)
            except ServiceError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, f"{which.capitalize()} added.")
                return redirect("inventory:setup")
    return render(request, "inventory/setup.html", {
        "forms": forms, "products": Product.objects.in_clinic(clinic), "suppliers": Supplier.objects.in_clinic(clinic),
        "locations": Location.objects.in_clinic(clinic),
    }, status=400 if request.method == "POST" else 200)
