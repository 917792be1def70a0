"""A local stand-in for the iAdvize REST API (v2) operator endpoints.

Nobody can test against the real service, so the sandbox behaves as the
documentation says (``shared/iadvize-rest-api.md``, the Operator page), and where
it is silent it picks one of the alternatives a client must tolerate. A client that
works against it should work against iAdvize on its first day.

>>> from rostersync.sandbox import start_sandbox
>>> with start_sandbox(demo=True) as sandbox:          # doctest: +SKIP
...     requests.get(f"{sandbox.url}/operator", headers={"X-API-Key": sandbox.api_key})

Modules: ``forms`` (PHP form bodies), ``validation`` (fields), ``filters``, ``live``,
``derived`` (statistic, profile), ``store`` (data), ``statefile`` (state on disk:
snapshot, journal, lock), ``faults``, ``server`` (HTTP), ``runner``
(``start_sandbox``), ``demo``, ``command`` (CLI).

The state file (``state_path``; ``.rostersync/sandbox.json`` for ``--sandbox``), and
what a user can count on (the files themselves are described in ``statefile``):
- One sandbox at a time per state file. A second one (another ``--sandbox`` run in
  the same folder, or ``rostersync sandbox --state`` on the same file) says that it
  waits, waits for the first to stop, then starts from the state the first left:
  runs in one folder behave as if run one after the other, and none loses a write.
  It gives up after ``ROSTERSYNC_SANDBOX_LOCK_TIMEOUT`` seconds (default 60) with an
  error naming the other run. The lock is a ``flock``: the system releases it when
  its process ends, however it ends, so a crash never leaves a stale lock.
- Every write is appended to the journal (handed to the operating system) before it
  is answered: a write the client saw succeed survives the process being killed at
  any moment, and the next start replays it. When the sandbox stops (the command
  exits, Ctrl-C included), the state is one complete snapshot, flushed to disk and
  put in place by an atomic rename, and the journal is gone.
- Not guaranteed: the journal is not flushed to disk on every write (a rehearsal
  trades that for speed), so if the machine itself crashes mid-run, the writes since
  the last snapshot may be lost. Even then nothing loads wrongly: the snapshot is
  never half written, a cut-short last journal line (a write never answered) is
  ignored, and anything else unreadable stops the start with an error naming the
  file and the problem, never a traceback or a silently different state.
- Cost: a write appends one line; a snapshot is written when the journal holds more
  entries than there are operators, and on stop. A 300-change apply costs about 1.2
  times the same apply without a state file (``benchmarks/bench_sandbox_state.py``).

Choices made where the documentation is silent (each module's docstring has its own):
- HTTP codes: 200, 201 on create; 400 invalid (``fail``), 403 bad key (``error``),
  404 unknown operator (``fail``) or route (``error``), 405, 429, 503 (``error``).
- As loose as the real service where real clients need it (iAdvize's own PHP
  client adds ``page=1&limit=20`` to every request and copies write fields into
  the query string as ``fields[...]``): query parameters a route does not use are
  ignored; unknown body fields are ignored; unknown filter names are ignored (the
  documentation does not call them errors); array-form filter values
  (``filters[id][0]=1&filters[id][1]=2``) match any of their values. An ignored
  filter name used to catch a client's misspelt filter (answered with every
  operator instead of a 400): it is now counted instead (``Sandbox.ignored_filters``),
  and rostersync's test suite fails any test in which its client sent one.
- As strict as catches client bugs: every field of a write is validated (all
  problems in one 400), a known filter with a malformed value is a 400, ``page``
  and ``limit`` of ``GET /operator`` must be positive integers, ``connected`` must
  be 0 or 1, and every path under ``/api/2`` needs the key (403).
- ``GET /operator/live`` is not paginated, as the documentation's example shows:
  all matching items in one reply, without a ``pagination`` key (``page`` and
  ``limit`` are ignored there). ``GET /operator`` is paginated.
- The profile has ``twitter`` besides the documented fields (the PHP client reads it).
- Emails are stored lower-cased, id lists sorted and de-duplicated, roles in the
  order expert, operator, manager, admin: a client must compare as sets, emails
  without case.
- Read ``role`` (deprecated) is the most privileged of ``roles``.
- Operator ids start at 1001 and are never reused.
- Live: the default ``GET /operator/live`` view is "connected and available on at
  least one channel"; ``connected=0`` adds every operator who ever logged in.
  ``PUT /operator/{id}/live`` with a channel available (``chat[available]=1``)
  connects an operator who was offline (available means connected and switched on).
- Faults: 503 and 429 do nothing; a dropped write is done, then its reply is lost.
- Defaults on create: roles [operator], chat_max_number 3, language_admin en,
  channels off, priorities 0, lists empty, strings and group_id null, call_config
  ANSWER_FROM_DESK without phone.
"""

from rostersync.sandbox.demo import DEMO_OPERATORS, DEMO_PRESENCE, seed_demo
from rostersync.sandbox.faults import FaultConfig
from rostersync.sandbox.forms import parse_form
from rostersync.sandbox.runner import Sandbox, start_sandbox
from rostersync.sandbox.statefile import SandboxStateError
from rostersync.sandbox.store import OperatorNotFound, OperatorStore
from rostersync.sandbox.validation import InvalidFields

__all__ = [
    "DEMO_OPERATORS",
    "DEMO_PRESENCE",
    "FaultConfig",
    "InvalidFields",
    "OperatorNotFound",
    "OperatorStore",
    "Sandbox",
    "SandboxStateError",
    "parse_form",
    "seed_demo",
    "start_sandbox",
]
