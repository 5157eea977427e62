"""The database cache's table (settings "throttling and the shared cache": the rate limits' and
the lockouts' shared counters when no REDIS_URL is set). Created here so `migrate` is the one
step a new hall, a test database or a switch away from Redis needs; the name is fixed so the
table is there whichever backend the environment picks."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "onewindow_cache"  # settings.CACHES LOCATION, copied: a migration keeps its own values


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
