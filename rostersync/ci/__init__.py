"""The pull-request flow, for CI jobs: the plan comment, the reviewed digest, the
outcome of an apply, the drift issue, on GitHub and GitLab.

    forge.py    HTTP to a forge's REST API: JSON, pages by Link (or X-Next-Page), errors
    threads.py  one rostersync comment per pull request, found by its marker, replaced
    issues.py   the drift issue: opened, updated, reopened, closed, never duplicated
    github.py   GitHub's issue comments, the pull request of a commit, issues
    gitlab.py   GitLab's merge request notes, the merge request of a commit, issues
    context.py  what a CI job's environment says: the account shown, the commit, the job's page

The flow (see the README, "Pull requests and CI"): a pull request's plan job posts
the plan as one comment holding the plan's digest in a hidden marker; the merge
job finds the merged pull request of its commit, reads that digest from the comment
and runs ``rostersync apply --expect-digest``, so that only the plan that was
reviewed is applied; the outcome then replaces the comment. Nothing here prints:
`rostersync.cli.ci_commands` is the command line over it.
"""

from rostersync.ci.forge import ForgeClient, ForgeError
from rostersync.ci.issues import Issue, report_drift
from rostersync.ci.threads import Posted, find_ours, upsert

__all__ = ["ForgeClient", "ForgeError", "Issue", "Posted", "find_ours", "report_drift", "upsert"]
