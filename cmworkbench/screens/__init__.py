"""Textual screens: one per mode of the workbench, plus the help and privacy overlays.

Screens talk to services only, through ``app.workbench``; they never import the database layer.
"""
