"""Widgets shared by the kiosk and the counter: form fields, material capture, status."""
