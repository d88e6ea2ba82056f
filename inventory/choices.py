"""Vocabularies of the controlled-substance ledger (CLINICAL.md section 6)."""

from django.db import models


class EntryKind(models.TextChoices):
    """Mirrors clinical.ledger.EntryKind (the kernel owns the rules of each kind)."""

    RECEIPT = "receipt", "Receipt"
    DRAW = "draw", "Draw"
    ADMINISTRATION = "administration", "Administration"
    WASTE = "waste", "Waste"
    DESTRUCTION = "destruction", "Destruction"
    LOSS_OR_THEFT = "loss_or_theft", "Loss or theft"
    TRANSFER = "transfer", "Transfer"
    COUNT = "count", "Count"
    CORRECTION = "correction", "Correction"


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


class InventoryKind(models.TextChoices):
    INITIAL = "initial", "Initial inventory"
    BIENNIAL = "biennial", "Biennial inventory"


class BusinessTime(models.TextChoices):
    """21 CFR 1304.11(a): an inventory states whether it was taken at opening or close of business."""

    OPENING = "opening", "Opening of business"
    CLOSE = "close", "Close of business"
