"""Domain exceptions every service raises; the TUI shows them as a notification, the CLI as one
line on stderr: exit code 2 for a person's mistake or a refusal, 1 for :class:`MachineFailure`."""


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


class MachineFailure(ServiceError):
    """The machine failed the person, not their input: a full or failing disk, a database
    that does not answer. The CLI exits with code 1 for it (2 is for people's mistakes and
    refusals); the message still says what and where, in one line."""
