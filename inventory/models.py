"""The Schedule III ketamine ledger: stock, containers and append-only entries (CLINICAL.md section 6).

Ledger rows (entries, counts, discrepancies and their resolutions, inventories) are
append-only: the application cannot update or delete them, and a correction is a
new entry pointing at the one it corrects. Containers carry their current state and
location, which only ledger services change, in the transaction of the entry that
changes them.
"""

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from toolkit.constraints import above_zero, at_least_zero, one_of
from toolkit.scoping import ClinicManager, ClinicQuerySet

from .choices import (
    BusinessTime,
    ContainerState,
    DosageForm,
    EntryKind,
    InventoryKind,
    LossCause,
    Schedule,
)

USER = settings.AUTH_USER_MODEL
ML: dict[str, Any] = {"max_digits": 10, "decimal_places": 2}


class AppendOnlyQuerySet(ClinicQuerySet):
    """A clinic-scoped queryset that refuses bulk updates and deletes."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Ledger records are append-only: they cannot be updated.")

    def delete(self) -> NoReturn:
        raise PermissionError("Ledger records are append-only: they cannot be deleted.")


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnly(models.Model):
    """A row written once: saving it again or deleting it is refused."""

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name} rows are append-only: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(f"{self._meta.verbose_name} rows are append-only: they cannot be deleted.")


class Product(models.Model):
    """A ketamine presentation: strength and container volume (21 CFR 1304.22(c): substance, form, strength)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    ndc = models.CharField("NDC", max_length=13)
    form = models.CharField(max_length=16, choices=DosageForm.choices, default=DosageForm.INJECTION)
    strength_mg_per_ml = models.DecimalField(max_digits=7, decimal_places=2)
    container_ml = models.DecimalField(max_digits=7, decimal_places=2)
    schedule = models.CharField(max_length=4, choices=Schedule.choices, default=Schedule.CIII)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "ndc"], name="product_ndc_unique_per_clinic"),
                       above_zero("strength_mg_per_ml"), above_zero("container_ml")]

    def __str__(self) -> str:
        return f"{self.name} {self.strength_mg_per_ml} mg/mL × {self.container_ml} mL"

    @property
    def container_mg(self) -> Decimal:
        return self.strength_mg_per_ml * self.container_ml


class Supplier(models.Model):
    """Who sells the clinic its stock (21 CFR 1304.22(c): name, address, DEA number)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    address = models.TextField()
    dea_number = models.CharField("DEA number", max_length=9)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "dea_number"], name="supplier_dea_unique_per_clinic")]

    def __str__(self) -> str:
        return f"{self.name} ({self.dea_number})"


class Location(models.Model):
    """A storage place (the safe, a locked cart)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="location_name_unique_per_clinic")]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """A manufacturer's lot of one product; its row is the lock every stock movement takes."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["expires_on", "lot_number"]
        constraints = [models.UniqueConstraint(fields=["clinic", "product", "lot_number"], name="lot_unique_per_product")]

    def __str__(self) -> str:
        return f"Lot {self.lot_number} · {self.product.name} {self.product.strength_mg_per_ml} mg/mL"


class Container(models.Model):
    """One vial: where it is and whether it is sealed, open, empty, destroyed, lost or void."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="containers")
    code = models.CharField(max_length=60)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="containers")
    state = models.CharField(max_length=12, choices=ContainerState.choices, default=ContainerState.SEALED)
    receipt = models.ForeignKey("LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="received_containers")

    objects = ClinicManager()

    class Meta:
        ordering = ["lot__expires_on", "code"]
        constraints = [models.UniqueConstraint(fields=["lot", "code"], name="container_code_unique_per_lot"),
                       one_of("state", ContainerState.values)]
        indexes = [models.Index(fields=["clinic", "state"])]

    def __str__(self) -> str:
        return f"Vial {self.code}"


class LedgerEntry(AppendOnly):
    """One append-only entry: who, when, how much (mL and mg) and the balance after."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="entries")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="entries")
    container = models.ForeignKey(Container, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    unit = models.CharField(max_length=2, default="mL", help_text="The unit the amount was measured in")
    quantity_ml = models.DecimalField(**ML, help_text="Signed only on corrections")
    quantity_mg = models.DecimalField(**ML)
    balance_after_ml = models.DecimalField(**ML, help_text="Balance of the lot at `location` after this entry")
    to_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="entries_in")
    to_balance_after_ml = models.DecimalField(**ML, null=True, blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    second_witness = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey("infusions.InfusionSession", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts")
    invoice = models.CharField(max_length=60, blank=True)
    containers_count = models.PositiveIntegerField(null=True, blank=True)
    method = models.CharField(max_length=200, blank=True, help_text="Manner of waste or method of destruction")
    place = models.CharField(max_length=200, blank=True, help_text="Place of destruction (DEA Form 41)")
    report_ref = models.CharField(max_length=60, blank=True, help_text="DEA Form 106 (loss) or Form 41 (destruction) reference")
    loss_cause = models.CharField(max_length=12, choices=LossCause.choices, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    corrected_ml = models.DecimalField(**ML, null=True, blank=True, help_text="Corrections: the amount in force after")
    corrected_mg = models.DecimalField(**ML, null=True, blank=True)
    reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(help_text="When it happened")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["lot", "location"]),
            models.Index(fields=["clinic", "kind", "at"]),
        ]
        constraints = [
            one_of("kind", EntryKind.values),
            # Amounts are signed only on corrections; a balance never goes below zero.
            models.CheckConstraint(condition=Q(kind=EntryKind.CORRECTION) | Q(quantity_ml__gte=0, quantity_mg__gte=0),
                                   name="ledger_amount_signed_only_on_corrections"),
            at_least_zero("balance_after_ml"), at_least_zero("to_balance_after_ml", nullable=True),
            at_least_zero("corrected_ml", nullable=True), at_least_zero("corrected_mg", nullable=True),
        ]

    def __str__(self) -> str:
        return f"Entry {self.pk} · {self.get_kind_display()}"


class Inventory(AppendOnly):
    """An initial or biennial inventory: every lot and location counted on one day (21 CFR 1304.11)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=InventoryKind.choices)
    business_time = models.CharField(max_length=8, choices=BusinessTime.choices)
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name_plural = "inventories"
        constraints = [one_of("kind", InventoryKind.values), one_of("business_time", BusinessTime.values)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.taken_at:%Y-%m-%d}"


class Count(AppendOnly):
    """A physical count of one lot at one location against the book balance."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="count")
    inventory = models.ForeignKey(Inventory, null=True, blank=True, on_delete=models.PROTECT, related_name="counts")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="counts")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="counts")
    sealed_containers = models.PositiveIntegerField()
    opened_containers = models.PositiveIntegerField(default=0)
    opened_ml = models.DecimalField(**ML)
    counted_ml = models.DecimalField(**ML)
    expected_ml = models.DecimalField(**ML)
    estimated = models.BooleanField(default=False, help_text="Opened containers estimated (21 CFR 1304.11)")
    counted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [at_least_zero("opened_ml"), at_least_zero("counted_ml"), at_least_zero("expected_ml")]


class Discrepancy(AppendOnly):
    """A count that disagreed with the book; open until it has a resolution."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    count = models.OneToOneField(Count, on_delete=models.PROTECT, related_name="discrepancy")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="discrepancies")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="discrepancies")
    difference_ml = models.DecimalField(**ML, help_text="counted - expected")
    difference_mg = models.DecimalField(**ML)
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name_plural = "discrepancies"

    @property
    def is_open(self) -> bool:
        return not hasattr(self, "resolution")


class DiscrepancyResolution(AppendOnly):
    """An inventory officer's explanation that closes a discrepancy (written once)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    discrepancy = models.OneToOneField(Discrepancy, on_delete=models.PROTECT, related_name="resolution")
    explanation = models.TextField()
    accounted_by = models.ForeignKey(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     help_text="The correction or loss entry that accounts for the difference")
    resolved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField()


class SessionLedger(models.Model):
    """A session's reconciliation totals, kept when its ledger entries are written (ADR 0013).

    Derived, not a ledger row: `inventory.readmodel` rewrites it in the transaction of every
    draw, administration, waste or correction that names the session. Whether the difference is
    within tolerance is judged at read time, so a new tolerance needs no rewrite.
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField("infusions.InfusionSession", on_delete=models.CASCADE, related_name="ledger_line")
    drawn_mg = models.DecimalField(**ML, default=Decimal(0))
    administered_mg = models.DecimalField(**ML, default=Decimal(0))
    wasted_mg = models.DecimalField(**ML, default=Decimal(0))
    returned_mg = models.DecimalField(**ML, default=Decimal(0))
    difference_mg = models.DecimalField(**ML, default=Decimal(0), help_text="drawn - returned - administered - wasted")
    unaccounted_mg = models.DecimalField(**ML, default=Decimal(0), help_text="|difference|, indexed for the failing list")
    given = models.BooleanField(default=False, help_text="An administration is recorded")

    objects = ClinicManager()

    class Meta:
        indexes = [models.Index(fields=["clinic", "unaccounted_mg"], name="sessionledger_unaccounted")]

    def __str__(self) -> str:
        return f"Session {self.session_id}: {self.difference_mg} mg unaccounted"


class LotBalance(models.Model):
    """The balance of a lot at a location after its latest entry, kept by every ledger write (ADR 0013)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="balances")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    ml = models.DecimalField(**ML)
    last_entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="+")

    objects = ClinicManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lot", "location"], name="lotbalance_once_per_place")]

    def __str__(self) -> str:
        return f"{self.lot} at {self.location}: {self.ml} mL"
