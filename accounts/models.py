"""Clinics, staff users, their role in each clinic, API tokens and clinic policy settings."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .choices import Role


class Clinic(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    # Policy values (CLINICAL.md "Policy"); keys and defaults live in accounts.policy.
    policy = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff user; patients have no account."""

    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user's role in one clinic; a user may belong to several clinics."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="one_role_per_clinic"),
                       models.CheckConstraint(condition=models.Q(role__in=Role.values), name="accounts_membership_role_known")]
        ordering = ["clinic__name"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.clinic}"


class ApiToken(models.Model):
    """A per-user token for machines; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
