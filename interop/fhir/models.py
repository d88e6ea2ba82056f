"""SMART Backend Services clients, the assertions they used, and Bulk Data export jobs."""

import uuid

from django.conf import settings
from django.db import models


class SmartClient(models.Model):
    """A machine client of one clinic: its public keys (JWKS) and the scopes it may be granted."""

    client_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    jwks = models.JSONField(help_text="The client's public keys as a JSON Web Key Set")
    scopes = models.CharField(max_length=500, help_text="Space-separated SMART system scopes it may be granted")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class UsedAssertion(models.Model):
    """A client assertion's jti, kept until the assertion expires so a replay is refused."""

    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="jti_once_per_client")]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ExportJob(models.Model):
    """One Bulk Data $export request, run by the `fhir export-worker` command."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(SmartClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=16, help_text="system, patient or group")
    group_id = models.CharField(max_length=64, blank=True)
    types = models.JSONField(help_text="Resource types to export, after the client's scopes")
    since = models.DateTimeField(null=True, blank=True)
    type_filters = models.JSONField(default=dict, blank=True,
                                    help_text="_typeFilter: {type: [search query, ...]}; a resource is kept when any matches")
    request_url = models.CharField(max_length=2000)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    output = models.JSONField(default=list, blank=True, help_text="[{type, file, count}] once done")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
