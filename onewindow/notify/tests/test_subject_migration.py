"""notify 0006 (decision 19): the message's foreign key to a case becomes a plain subject, and
every message that pointed at a case still names it — forwards and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onewindow import clock

BEFORE = [("notify", "0005_deadline_moved_message")]
AFTER = [("notify", "0006_message_subject_instead_of_case")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_message_keeps_its_case_through_the_subject(world, submitted):
    case = submitted()
    try:
        apps = _migrate(BEFORE)
        Message, now = apps.get_model("notify", "Message"), clock.now()
        row = {
            "event": "accepted",
            "phone": "13912345678",
            "text": "…",
            "created_at": now,
            "next_attempt_at": now,
        }
        Message.objects.create(key="case:1", case_id=case.pk, case_number=case.number, **row)
        Message.objects.create(key="case:2", case_id=case.pk, case_number="", **row)  # the FK alone
        Message.objects.create(key="bundle:1", **row)

        apps = _migrate(AFTER)
        subjects = dict(apps.get_model("notify", "Message").objects.values_list("key", "subject_kind"))
        keys = dict(apps.get_model("notify", "Message").objects.values_list("key", "subject_key"))
        assert subjects == {"case:1": "case", "case:2": "case", "bundle:1": ""}
        assert keys == {"case:1": case.number, "case:2": case.number, "bundle:1": ""}

        apps = _migrate(BEFORE)  # and back: the foreign key found again by the number
        links = dict(apps.get_model("notify", "Message").objects.values_list("key", "case_id"))
        assert links == {"case:1": case.pk, "case:2": case.pk, "bundle:1": None}
    finally:
        # Back to the latest migration of every app, not just 0006: going back to 0005 unapplied
        # every later notify migration too (0014 seals the phone; left unapplied, the column is a
        # varchar(20) again and every later test's sealed phone fails to fit).
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
