"""Read replicas for the pages that only read (issue 21 item 5; decision 49).

With DATABASE_REPLICA_URL set (settings: a PostgreSQL streaming standby as the alias "replica"),
ReplicaRouter sends a read to the standby only when all of these hold:
- it runs inside a read-only scope: a view marked `@read_only_page`, or `with read_only():`;
- nothing in that scope has yet written one of OneWindow's own tables (read-your-writes: after
  a write, the request's later reads go to the primary, which has it);
- the primary connection is not inside transaction.atomic (a transaction's reads belong with its
  writes: a rule checked and then acted upon must read what it locks);
- the model is one of OneWindow's own tables and not one of NOT_ROUTED.
Everything else reads and writes the primary, as without a replica: Django's own tables
(sessions, auth, contenttypes, admin), django-axes' lockout, the shared cache's table (the rate
limits count on the primary: onewindow.sharedcache), and the tables in NOT_ROUTED.

A standby lags the primary by its replay delay (usually milliseconds, seconds under load): the
pages marked read-only are the ones where a figure or a step seconds old does no harm.
"""

import contextvars
import functools
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# OneWindow's tables that are read on the primary even inside a read-only scope, and why:
# - accounts.user, accounts.staff, accounts.apitoken: who may do what; a revoked role or token
#   must stop at once, not after the standby replays it;
# - accounts.idempotentrequest, accounts.signupcode, serials.*: read to decide a write;
# - workdays.* (the calendar and its version row) and catalog.catalogstate (the catalog's version
#   row): each process caches what it reads from them (workdays.calendar, catalog.search and
#   services._current_ids) and every later request of that process, writes included, uses the
#   cache — a lagging read there would put an old calendar under the next case's deadline.
NOT_ROUTED = frozenset(
    {
        "accounts.user",
        "accounts.staff",
        "accounts.apitoken",
        "accounts.idempotentrequest",
        "accounts.signupcode",
        "catalog.catalogstate",
    }
)
NOT_ROUTED_APPS = frozenset({"serials", "workdays"})


class _Scope:
    __slots__ = ("wrote",)

    def __init__(self):
        self.wrote = False


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("onewindow_read_only", default=None)


@contextmanager
def read_only():
    """Reads of OneWindow's tables inside may go to the replica (see the module's docstring)."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def read_only_page(view):
    """Marks a view whose page only reads and tolerates a few seconds of replication lag. Its
    incidental writes (the rate limit's counter) still go to the primary."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with read_only():
            return view(request, *args, **kwargs)

    return wrapper


def _ours(model) -> bool:
    return model.__module__.startswith("onewindow.")


def _routed(model) -> bool:
    meta = model._meta
    return _ours(model) and meta.app_label not in NOT_ROUTED_APPS and meta.label_lower not in NOT_ROUTED


class ReplicaRouter:
    """Installed by settings only when DATABASE_REPLICA_URL is set. It always answers (never
    None): Django would otherwise read a related object from the alias its parent came from,
    and a table that must stay on the primary could be read on the replica through a relation."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if (
            scope is None
            or scope.wrote
            or not _routed(model)
            or REPLICA not in connections.settings
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        # Only a write of OneWindow's own tables makes the rest of the request read the primary:
        # the rate limit's counter (the cache table) is written on every progress lookup and is
        # never what the page shows.
        if scope is not None and _ours(model):
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read on one may point at one of the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A standby is read-only and receives the primary's schema by replication.
        return db == DEFAULT_DB_ALIAS
