"""What every capability stands on: who acts (:class:`~.schemas.Actor`), the refusals they get
(:mod:`.errors`), scope (:mod:`.scope`: which customers and colleagues an actor may see), input
checks (:mod:`.validation`), the append-only audit log (:mod:`.audit`), drafts of forms being
typed (:mod:`.drafts`), the login lookup (:mod:`.login`), the unit of work with its retry loop
(:mod:`.unit`), use cases bound to facades (:mod:`.usecase`), notifications written once per
recipient and key (:mod:`.notify`), and the files written for people (:mod:`.output`,
:mod:`.spreadsheet`). It imports no other capability.
"""
