"""Modal dialogs of the workbench, one a module; each is a ``ModalScreen[result]``."""
