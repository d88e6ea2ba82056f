"""Forms of the ledger pages. They parse input; the services decide what may be recorded."""

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from infusions.models import InfusionSession
from toolkit.forms import choice_field

from . import queries
from .choices import BusinessTime, InventoryKind, LossCause
from .models import Container, LedgerEntry, Location, Lot, Product, Supplier

ML = {"max_digits": 9, "decimal_places": 2, "min_value": Decimal("0.01")}
AMOUNT_HELP = "To 0.01, as read on the syringe or label."


def session_label(clinic: Any) -> Any:
    zone = ZoneInfo(clinic.time_zone)

    def label(s: InfusionSession) -> str:
        dose = f" · planned {s.total_mg} mg" if s.total_mg is not None else ""
        when = timezone.localtime(s.scheduled_start, zone).strftime("%a %d %b %H:%M")
        return f"{when} · {s.patient.full_name} ({s.patient.mrn}) · infusion {s.number} · {s.get_state_display()}{dose}"

    return label


def container_label(remaining: dict[int, Decimal]) -> Any:
    def label(c: Container) -> str:
        p = c.lot.product
        return (f"{c.code} · {p.strength_mg_per_ml} mg/mL · {c.location} · {c.get_state_display().lower()} · "
                f"{remaining.get(c.pk, p.container_ml)} mL left · expires {c.lot.expires_on}")

    return label


class _ClinicForm(forms.Form):
    """A form whose choices come from one clinic."""

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.setup()

    def setup(self) -> None:
        """Scope the choice fields to the clinic."""

    def _containers(self, name: str) -> None:
        field = choice_field(self, name)
        field.queryset = queries.stock_containers(self.clinic)
        field.label_from_instance = container_label(queries.remaining_by_container(self.clinic))


class WitnessFields(forms.Form):
    witness = forms.CharField(label="Witness username", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                              help_text="A second authorised person, present now.")
    witness_password = forms.CharField(label="Witness password", strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                                       help_text="Typed by the witness, not by you.")


class ReceiveForm(_ClinicForm):
    product = forms.ModelChoiceField(queryset=Product.objects.none())
    lot_number = forms.CharField(max_length=40)
    expires_on = forms.DateField(label="Expires on", widget=forms.DateInput(attrs={"type": "date"}))
    containers = forms.IntegerField(label="Number of containers", min_value=1, max_value=1000)
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none())
    invoice = forms.CharField(label="Invoice or packing slip", max_length=60)
    location = forms.ModelChoiceField(label="Stored in", queryset=Location.objects.none())
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    expired_reason = forms.CharField(label="Reason to take in a lot already expired", required=False, max_length=2000,
                                     help_text="Only when the expiry date has passed (for example, received for destruction).")

    def setup(self) -> None:
        for name, model in (("product", Product), ("supplier", Supplier), ("location", Location)):
            choice_field(self, name).queryset = model.objects.in_clinic(self.clinic)


class DrawForm(_ClinicForm):
    session = forms.ModelChoiceField(label="Infusion session", queryset=InfusionSession.objects.none())
    container = forms.ModelChoiceField(label="Vial", queryset=Container.objects.none())
    ml = forms.DecimalField(label="mL drawn", help_text=AMOUNT_HELP, **ML)
    note = forms.CharField(required=False, max_length=2000)

    def setup(self) -> None:
        field = choice_field(self, "session")
        field.queryset = queries.sessions_to_draw_for(self.clinic, timezone.now())
        field.label_from_instance = session_label(self.clinic)
        self._containers("container")


class AdministerForm(_ClinicForm):
    session = forms.ModelChoiceField(label="Infusion session", queryset=InfusionSession.objects.none())
    mg = forms.DecimalField(label="mg given to the patient", help_text=AMOUNT_HELP, **ML)

    def setup(self) -> None:
        field = choice_field(self, "session")
        field.queryset = queries.sessions_with_draws(self.clinic, timezone.now(), without_administration=True)
        field.label_from_instance = session_label(self.clinic)


class WasteForm(_ClinicForm, WitnessFields):
    session = forms.ModelChoiceField(label="Infusion session", queryset=InfusionSession.objects.none())
    mg = forms.DecimalField(label="mg wasted", help_text="What was drawn and not given. " + AMOUNT_HELP, **ML)
    manner = forms.CharField(label="Manner of waste", max_length=200, initial="Into the drug-waste container")
    note = forms.CharField(required=False, max_length=2000)
    field_order = ["session", "mg", "manner", "note", "witness", "witness_password"]

    def setup(self) -> None:
        field = choice_field(self, "session")
        field.queryset = queries.sessions_with_draws(self.clinic, timezone.now())
        field.label_from_instance = session_label(self.clinic)


class DestroyForm(_ClinicForm, WitnessFields):
    containers = forms.ModelMultipleChoiceField(label="Vials to destroy", queryset=Container.objects.none(),
                                                widget=forms.CheckboxSelectMultiple)
    method = forms.CharField(label="Method of destruction", max_length=200)
    place = forms.CharField(label="Place of destruction", max_length=200)
    reason = forms.CharField(label="Why (expired, damaged, recalled)", max_length=500, required=False)
    report_ref = forms.CharField(label="DEA Form 41 reference", max_length=60, required=False)
    second_witness = forms.CharField(label="Second witness username", max_length=150,
                                     widget=forms.TextInput(attrs={"autocomplete": "off"}))
    second_witness_password = forms.CharField(label="Second witness password", strip=False,
                                              widget=forms.PasswordInput(attrs={"autocomplete": "off"}))
    field_order = ["containers", "method", "place", "reason", "report_ref", "witness", "witness_password",
                   "second_witness", "second_witness_password"]

    def setup(self) -> None:
        self._containers("containers")


class LossForm(_ClinicForm):
    container = forms.ModelChoiceField(label="Vial", queryset=Container.objects.none())
    cause = forms.ChoiceField(choices=LossCause.choices)
    ml = forms.DecimalField(label="mL lost", required=False, help_text="Leave empty when all it held is gone.", **ML)
    report_ref = forms.CharField(label="DEA Form 106 reference", max_length=60)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self) -> None:
        self._containers("container")


class TransferForm(_ClinicForm):
    containers = forms.ModelMultipleChoiceField(label="Vials to move", queryset=Container.objects.none(),
                                                widget=forms.CheckboxSelectMultiple)
    to_location = forms.ModelChoiceField(label="Move to", queryset=Location.objects.none())
    note = forms.CharField(required=False, max_length=2000)

    def setup(self) -> None:
        self._containers("containers")
        choice_field(self, "to_location").queryset = Location.objects.in_clinic(self.clinic)


class CountForm(_ClinicForm):
    lot = forms.ModelChoiceField(queryset=Lot.objects.none())
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    sealed_containers = forms.IntegerField(label="Sealed vials", min_value=0, max_value=10000)
    opened_containers = forms.IntegerField(label="Opened vials", min_value=0, max_value=10000, initial=0)
    opened_ml = forms.DecimalField(label="mL in the opened vials", max_digits=9, decimal_places=2, min_value=Decimal(0),
                                   initial=Decimal(0), help_text="Measured or estimated.")
    estimated = forms.BooleanField(label="Opened vials estimated", required=False)
    note = forms.CharField(required=False, max_length=2000)

    def setup(self) -> None:
        choice_field(self, "lot").queryset = Lot.objects.in_clinic(self.clinic).select_related("product")
        choice_field(self, "location").queryset = Location.objects.in_clinic(self.clinic)


class ResolveForm(forms.Form):
    explanation = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    accounted_by = forms.ModelChoiceField(label="Entry that accounts for it", queryset=LedgerEntry.objects.none(),
                                          required=False, help_text="A correction or loss of this lot, if there is one.")

    def __init__(self, *args: Any, discrepancy: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "accounted_by").queryset = LedgerEntry.objects.in_clinic(discrepancy.clinic).filter(
            lot=discrepancy.lot, kind__in=("correction", "loss_or_theft")).order_by("-pk")


class CorrectForm(forms.Form):
    corrected = forms.DecimalField(label="Right amount", max_digits=9, decimal_places=2, min_value=Decimal(0))
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class InventoryForm(forms.Form):
    kind = forms.ChoiceField(choices=InventoryKind.choices)
    business_time = forms.ChoiceField(label="Taken at", choices=BusinessTime.choices)
    note = forms.CharField(required=False, max_length=2000)


class InventoryLineForm(forms.Form):
    lot = forms.IntegerField(widget=forms.HiddenInput)
    location = forms.IntegerField(widget=forms.HiddenInput)
    sealed_containers = forms.IntegerField(label="Sealed", min_value=0, max_value=10000)
    opened_containers = forms.IntegerField(label="Opened", min_value=0, max_value=10000, initial=0)
    opened_ml = forms.DecimalField(label="mL in opened", max_digits=9, decimal_places=2, min_value=Decimal(0), initial=Decimal(0))
    estimated = forms.BooleanField(label="Estimated", required=False)


InventoryLineFormSet = forms.formset_factory(InventoryLineForm, extra=0)


class ProductForm(forms.Form):
    name = forms.CharField(max_length=120, initial="Ketamine hydrochloride")
    ndc = forms.CharField(label="NDC", max_length=13)
    strength_mg_per_ml = forms.DecimalField(label="Strength (mg/mL)", max_digits=7, decimal_places=2, min_value=Decimal("0.01"))
    container_ml = forms.DecimalField(label="Container volume (mL)", max_digits=7, decimal_places=2, min_value=Decimal("0.01"))


class SupplierForm(forms.Form):
    name = forms.CharField(max_length=120)
    address = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    dea_number = forms.CharField(label="DEA number", max_length=12)


class LocationForm(forms.Form):
    name = forms.CharField(max_length=80)
