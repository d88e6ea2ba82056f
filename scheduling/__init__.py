"""Scheduling: chairs, nurse shifts, bookings and the course planner."""
