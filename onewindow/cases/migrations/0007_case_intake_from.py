from django.db import migrations, models


def fill(apps, schema_editor):
    """Every case counts as received on its receipt day; one back at intake after a supplement
    (行政许可法 art. 32) from the day of its last supplement (the event's day, hall time)."""
    from onewindow import clock

    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Case.objects.update(intake_from=models.F("received_on"))
    supplemented = CaseEvent.objects.filter(action="supplement", case__status="submitted").order_by("case_id", "seq")
    last = {e.case_id: e.at for e in supplemented}
    for case_id, at in last.items():
        Case.objects.filter(pk=case_id).update(intake_from=at.astimezone(clock.hall_tz()).date())


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_commitment_checks_veto_filings_tolerance_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="intake_from",
            field=models.DateField(null=True, verbose_name="受理审查起算日"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="intake_from",
            field=models.DateField(verbose_name="受理审查起算日"),
        ),
        migrations.RemoveIndex(model_name="case", name="case_intake_age"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status", "intake_from"], name="case_intake_from"),
        ),
    ]
