"""The acts: one function per act a stage's form performs (one module per stage, in stage
order), and the project-wide acts outside the task flow (five_ones, reclaim, reassign).

Each takes the acting user first, writes the stage's data and returns what the task's audit
entry records of it: a ``(before, after)`` pair, or, for a stage edited through a model
form, the part it adds to the form's own snapshot. The task act that calls the form
(``workflow.actions.complete_task``) holds the lock and the transaction and writes that
entry, so an act never writes a second one; run alone (the demo, a test), it opens a
transaction of its own.
"""

from django.db import transaction

# Inside the task act's transaction this adds no savepoint (and no query).
stage_act = transaction.atomic(savepoint=False)


def holds_here(user, role, region) -> bool:
    """Does ``user`` hold ``role`` at ``region`` (the ``may_*`` predicates of the project-wide
    acts: five-ones, reclaim, reassign)?"""
    return user.is_authenticated and user.has_perm(role.permission, region)
