"""Everything shown to a person, as text: nothing here prints.

Plans as terminal text (`text`), JSON (`json_plan`) and Markdown (`markdown`), with
values formatted one way (`values`); the apply report (`text`); the `status` table
(`status`); what a roster edit did (`edits`); the availability changes of `live`
(`availability`); `stats` as text, CSV or JSON (`stats`). Every value from a roster or from the API passes
through `escape` on its way out: nothing reaches a terminal, a log or a Markdown
comment raw.
"""
