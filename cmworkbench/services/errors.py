"""Domain exceptions every service raises; the TUI shows them as a notification, the CLI as one
line on stderr with exit code 2."""


class ServiceError(Exception):
    """Base: a message for people, never a traceback."""


class NotFound(ServiceError):
    """The record does not exist (or the caller may not know that it does)."""


class OutOfScope(ServiceError):
    """The acting staff member may not see or change this record."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read; nothing was overwritten."""


class InvalidInput(ServiceError):
    """Input that breaks a rule; the message says what and where."""


class Retryable(Conflict):
    """A race with another writer that the same unit of work, run again, wins: e.g. two
    complaints taken at the same instant drew the same ticket number. Nothing was saved;
    :meth:`~cmworkbench.services.workbench.Workbench.run` runs the unit again before the
    message ever reaches a person."""
