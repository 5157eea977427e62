"""Run calls at the same moment, each in its own thread with its own database connection
(tests of races: "assume every operation runs concurrently with itself")."""

import threading

from django.db import connection


def run_together(*calls):
    """Starts every call at the same moment; returns what each returned or raised."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
