"""The plan engine: from a roster and the live account to changes, and carrying them out.

`workflow` is the sequence the CLI and automation call; `engine` reads the account
and diffs it against the roster into the values of `changes`; `safety` guards a
plan, `apply` carries it out (checking every write) and reports in `outcomes`;
`saved` writes and reads a plan for later (signed, bounded, strict), `saved_changes`
checks its changes as a roster is checked, `saved_fresh` against the account as it
is now. `protocols` says what the engine needs of an API client.
"""
