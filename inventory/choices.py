"""Vocabularies of the controlled-substance ledger (CLINICAL.md section 6)."""

from django.db import models

from clinical.ledger import entries, inventories
from toolkit.vocab import kernel_choices

# The kernel's entry kinds (it owns the rules of each kind); a return is not yet recorded by the app.
EntryKind = kernel_choices("EntryKind", entries.EntryKind, {
    "receipt": "Receipt", "draw": "Draw", "administration": "Administration", "waste": "Waste",
    "destruction": "Destruction", "loss_or_theft": "Loss or theft", "transfer": "Transfer", "count": "Count",
    "correction": "Correction",
}, omit={"return"})


class ContainerState(models.TextChoices):
    SEALED = "sealed", "Sealed"
    OPEN = "open", "Open"
    EMPTY = "empty", "Empty"
    DESTROYED = "destroyed", "Destroyed"
    LOST = "lost", "Lost or stolen"
    VOID = "void", "Void (receipt corrected)"


IN_STOCK = (ContainerState.SEALED, ContainerState.OPEN)


class Schedule(models.TextChoices):
    CIII = "CIII", "Schedule III"


class DosageForm(models.TextChoices):
    INJECTION = "injection", "Injection (solution)"


class LossCause(models.TextChoices):
    LOSS = "loss", "Loss"
    THEFT = "theft", "Theft"
    BREAKAGE = "breakage", "Breakage or spill"


InventoryKind = kernel_choices("InventoryKind", inventories.InventoryKind,
                               {"initial": "Initial inventory", "biennial": "Biennial inventory"})


class BusinessTime(models.TextChoices):
    """21 CFR 1304.11(a): an inventory states whether it was taken at opening or close of business."""

    OPENING = "opening", "Opening of business"
    CLOSE = "close", "Close of business"
