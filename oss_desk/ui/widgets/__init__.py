"""Widgets shared by the desk app's screens."""
