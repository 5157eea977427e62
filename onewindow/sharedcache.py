"""The database cache with an atomic incr: the embedded default of the shared cache (settings
"throttling and the shared cache"; issue 21: rate limits counted in one place across workers).

Django's DatabaseCache increments by get-then-set, so two workers counting the same client at
once both write the same number and one attempt goes uncounted. Here the row is read and written
in one transaction that holds its lock: SELECT … FOR UPDATE on PostgreSQL; on SQLite the
transaction takes the write lock at BEGIN (settings: transaction_mode IMMEDIATE).
"""

import base64
import datetime as dt
import pickle
import time

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} WHERE {quote('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is not None:
                expires = row[1]
                for converter in converters:
                    expires = converter(expires, expression, connection)
                # The wall clock, not onewindow.clock: Django's DatabaseCache wrote the expiry from
                # it and reads it so (a cache entry lives real seconds, whatever a test freezes).
                if expires < dt.datetime.fromtimestamp(time.time(), tz=dt.UTC):
                    row = None
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            raw = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(raw.encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s", [encoded, key]
            )
        return value
