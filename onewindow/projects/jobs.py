"""Silent consent (超时默认, RULES.md "Parallel approval"): the periodic job that records every
co-reviewer still without a formal opinion after its limit as agreeing, and the event against
its department. Set-based: one UPDATE and one INSERT … SELECT, whatever the number of opinions.

Order matters under concurrency. The UPDATE comes first: it locks each opinion it changes and
re-checks the state, so a department giving its opinion at the same moment either wins (its
opinion stays, the job skips it) or finds the opinion already taken as consent (and is refused).
The INSERT then records exactly the opinions this run stamped, in the same transaction (a crash
leaves neither); a second job running at once finds nothing left to update, and the unique
opinion id would refuse a second record anyway.
"""

import datetime as dt

from django.db import connection, transaction

from onewindow import clock
from onewindow.projects.models import Opinion, SilentConsent
from onewindow.workdays import calendar


@transaction.atomic
def apply_silent_consent(today: dt.date | None = None) -> int:
    """Opinions owed whose limit has passed (due_seq < today's ordinal: the limit day itself
    still belongs to the department) become 'agree' by silent consent; returns how many."""
    today = today or clock.today()
    now = clock.now()
    taken = Opinion.objects.filter(state__in=Opinion.OWED, due_seq__lt=calendar.seq(today)).update(
        state=Opinion.State.SILENT,
        kind=Opinion.Kind.AGREE,
        reasons="",
        conditions="",
        given_at=now,
        given_by=None,
    )
    if not taken:
        return 0
    opinions, records = Opinion._meta.db_table, SilentConsent._meta.db_table
    ops = connection.ops
    at, on = ops.adapt_datetimefield_value(now), ops.adapt_datefield_value(today)
    with connection.cursor() as cursor:
        # This run's opinions are those it just stamped with `now`. SQLite needs the WHERE
        # before ON CONFLICT to parse the upsert of an INSERT … SELECT.
        cursor.execute(
            f"""
            INSERT INTO {records} (opinion_id, project_id, stage_id, department_id, due_on, recorded_on, recorded_at)
            SELECT o.id, o.project_id, o.stage_id, o.department_id, o.due_on, %s, %s
            FROM {opinions} o
            WHERE o.state = %s AND o.given_at = %s
            ON CONFLICT (opinion_id) DO NOTHING
            """,
            [on, at, Opinion.State.SILENT, at],
        )
        return cursor.rowcount
