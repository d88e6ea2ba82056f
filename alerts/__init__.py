"""Alerts: every alert row, raised, acknowledged and escalated through alerts.services; an outbox for delivery."""
