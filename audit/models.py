"""The audit trail: one append-only row per read or write of patient data, chained by hash per clinic."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from .chain import CURRENT_VERSION, GENESIS


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events are append-only: they cannot be updated.")

    def delete(self) -> NoReturn:
        raise PermissionError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which record, when and from where.

    Inserted unsealed (`seq` empty) by the writer; the sealer then gives it the next place in its
    chain and the hash that links it to the row before (`audit.sealing`, ADR 0002). Only the seal
    columns are ever written after the insert, once, by the sealer.
    """

    chain = models.BigIntegerField()  # the clinic's id; 0 for events of no clinic, -1 for the old global chain
    seq = models.BigIntegerField(null=True, blank=True)  # place in its chain, set when sealed
    hash_version = models.PositiveSmallIntegerField(default=CURRENT_VERSION)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    clinic = models.ForeignKey("accounts.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_addr = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16, blank=True)  # the HMAC key a version-3 hash was made with

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["clinic", "-at"]),
            models.Index(fields=["chain", "id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_one_row_per_place")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events are append-only: they cannot be deleted.")


class AuditChain(models.Model):
    """The head of one chain: its last sealed place and hash. Locked only by the sealer of that chain."""

    chain = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    genesis_hash = models.CharField(max_length=64, default=GENESIS)  # what row 1 links to
    sealed_at = models.DateTimeField(null=True, blank=True)
    keyed_from = models.BigIntegerField(default=1)  # rows before this place were hashed without a key
    head_mac = models.CharField(max_length=64, blank=True)  # HMAC over the fields above (audit.chain.head_mac)
    head_key_id = models.CharField(max_length=16, blank=True)
