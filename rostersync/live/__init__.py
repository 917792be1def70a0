"""Operators' availability right now: the changes of ``live set`` and ``live logout``
(:mod:`rostersync.live.availability`), and the availability board of ``status --watch``
(:mod:`rostersync.live.board`)."""
