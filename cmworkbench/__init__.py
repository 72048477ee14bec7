"""cmworkbench: a keyboard-driven terminal workbench for customer managers (客户经理)."""

__version__ = "0.1.0"
