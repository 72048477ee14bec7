"""Reusable Textual widgets of the workbench, one widget a module."""
