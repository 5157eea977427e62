"""notify knows no case (issue 14, decision 19): the message's foreign key to cases.Case and its
`case_number` become a plain subject, ("case", the case number). Every message that pointed at a
case keeps the link, through the key: its number is copied before the columns go, set-based
(one UPDATE each way)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def links_to_subjects(apps, schema_editor):
    Message, Case = apps.get_model("notify", "Message"), apps.get_model("cases", "Case")
    number = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("number")[:1])
    Message.objects.filter(case__isnull=False).update(subject_kind="case", subject_key=number)
    # case_number without the key (none is written so; kept if one was): the number is the link
    Message.objects.filter(case__isnull=True).exclude(case_number="").update(
        subject_kind="case", subject_key=F("case_number")
    )


def subjects_to_links(apps, schema_editor):
    Message, Case = apps.get_model("notify", "Message"), apps.get_model("cases", "Case")
    pk = Subquery(Case.objects.filter(number=OuterRef("subject_key")).values("pk")[:1])
    Message.objects.filter(subject_kind="case").update(case_number=F("subject_key"), case_id=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_created_at_from_the_clock"),
        ("cases", "0007_case_intake_from"),
        ("notify", "0005_deadline_moved_message"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="subject_key",
            field=models.CharField(blank=True, max_length=40, verbose_name="事由编号"),
        ),
        migrations.AddField(
            model_name="message",
            name="subject_kind",
            field=models.CharField(blank=True, max_length=20, verbose_name="事由类型"),
        ),
        migrations.RunPython(links_to_subjects, subjects_to_links),
        migrations.RemoveField(
            model_name="message",
            name="case",
        ),
        migrations.RemoveField(
            model_name="message",
            name="case_number",
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["subject_key"], name="message_subject"),
        ),
    ]
