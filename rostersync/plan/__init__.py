"""The plan engine: from a roster and the live account to changes, and carrying them out.

`workflow` is the sequence the CLI and automation call; `engine` reads the account
and diffs it against the roster into the values of `changes`; `safety` guards a
plan, `apply` carries it out and reports in `outcomes`; `saved` writes and reads a
plan for later. `protocols` says what the engine needs of an API client.
"""
