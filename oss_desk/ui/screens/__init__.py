"""Screens of the desk app: one per mode (meet-and-greet, adviser, team leader, appointments, reports)."""
