"""Personal data at rest (issue 21 item 3; docs/decisions/0047-personal-data-at-rest.md).

ID numbers and phones are stored encrypted (AES-256-GCM, the `cryptography` library) and found by
a keyed hash (HMAC-SHA256), so a copy of the database or of a backup shows neither:

- `Sealed` is a text column whose value is encrypted when written and decrypted when read; the
  code reads and writes plain text, as before. The stored form is `enc1$<key id>$<base64>`; the
  associated data is the column's purpose (`applicant.id_number` …), so a ciphertext copied into
  another column does not open. Only "" is stored as is (an absent phone is not a secret).
- `Digest` is the column a lookup uses instead: HMAC of the normalised value under the index
  key, by kind ("id_number", "phone"), so the same number has the same digest in every table.
  A sealed column refuses an equality lookup with a value (it could never match): the code
  looks up `<field>_digest=pii.digest(kind, value)`.

Keys come from the environment (settings ONEWINDOW_PII_KEYS, ONEWINDOW_PII_INDEX_KEY; required in
production). Several encryption keys may be listed, the first one encrypts, every one decrypts:
that is how a key is rotated (`manage.py rotate_personal_data`; operator's guide).
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.db.models.lookups import Exact

PREFIX = "enc1$"


class KeySettingError(ValueError):
    """A malformed key setting (settings.py refuses to start with it)."""


@dataclass(frozen=True)
class Keyring:
    current: str  # the id of the key that encrypts
    keys: dict[str, bytes]  # id -> 32 bytes; all of them decrypt
    index_key: bytes


def parse_keys(raw: str) -> dict[str, bytes]:
    """`id:base64,id:base64` (first = current) → {id: key}; refuses a malformed list."""
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        key_id, sep, encoded = part.partition(":")
        if not sep or not key_id.isalnum() or len(key_id) > 16 or key_id in keys:
            raise KeySettingError(
                f"ONEWINDOW_PII_KEYS: {key_id[:16]!r} is not a unique short alphanumeric key id"
            )
        keys[key_id] = decode_key(encoded, "ONEWINDOW_PII_KEYS")
    return keys


def decode_key(encoded: str, name: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise KeySettingError(f"{name}: each key must be base64 of exactly 32 bytes")
    return key


@cache
def keyring() -> Keyring:
    raw = settings.ONEWINDOW_PII_KEYS
    if raw:
        keys = parse_keys(raw)
        current = next(iter(keys))
    else:  # development and tests: derived from SECRET_KEY (settings.py refuses this in production)
        current, keys = "dev", {"dev": _derive(b"onewindow-pii-encryption")}
    if settings.ONEWINDOW_PII_INDEX_KEY:
        index_key = decode_key(settings.ONEWINDOW_PII_INDEX_KEY, "ONEWINDOW_PII_INDEX_KEY")
    else:
        index_key = _derive(b"onewindow-pii-index")
    return Keyring(current=current, keys=keys, index_key=index_key)


def _forget_keys(setting, **kwargs):
    if setting in ("ONEWINDOW_PII_KEYS", "ONEWINDOW_PII_INDEX_KEY", "SECRET_KEY"):
        keyring.cache_clear()


setting_changed.connect(_forget_keys)


def _derive(label: bytes) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), label, hashlib.sha256).digest()


def encrypt(plain: str, purpose: str) -> str:
    if not plain:
        return plain
    ring = keyring()
    nonce = os.urandom(12)
    sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, plain.encode(), purpose.encode())
    return f"{PREFIX}{ring.current}${base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, purpose: str) -> str:
    """The plain text; a value not (yet) encrypted — a row written before the migration that
    encrypts the column ran — is returned as it is."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    key_id, _, encoded = stored[len(PREFIX) :].partition("$")
    key = keyring().keys.get(key_id)
    if key is None:
        raise RuntimeError(
            f"personal data sealed under key {key_id!r}, which ONEWINDOW_PII_KEYS no longer lists"
        )
    raw = base64.b64decode(encoded)
    return AESGCM(key).decrypt(raw[:12], raw[12:], purpose.encode()).decode()


def key_id_of(stored: str) -> str:
    """The id of the key a stored value is sealed under ("" when not sealed)."""
    return stored[len(PREFIX) :].partition("$")[0] if stored and stored.startswith(PREFIX) else ""


NORMALISE = {
    "id_number": lambda v: v.strip().upper(),
    "phone": lambda v: "".join(v.split()),
}


def digest(kind: str, value: str | None) -> str:
    """The lookup key of a value: HMAC-SHA256 under the index key; "" for an empty value."""
    value = NORMALISE[kind](value or "")
    if not value:
        return ""
    return hmac.new(keyring().index_key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


class Sealed(models.TextField):
    """A text column stored encrypted. `max_length` is the plain text's (forms and the column
    check read it); the column itself is unbounded text, as the ciphertext is longer."""

    def __init__(self, *args, purpose: str, **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"widget": forms.TextInput, **kwargs})

    def from_db_value(self, value, expression, connection):
        return decrypt(value, self.purpose) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value, self.purpose) if value else value


@Sealed.register_lookup
class SealedExact(Exact):
    """`field=""` (absent) works; `field="13800000000"` could never match a ciphertext: refused
    loudly instead of silently finding nothing."""

    lookup_name = "exact"
    prepare_rhs = False

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise TypeError(f"{self.lhs.target.name} is encrypted: look it up by its digest column")
        return self.rhs


class Digest(models.CharField):
    """The keyed hash of another field of the same row, recomputed whenever the row is saved."""

    def __init__(self, *args, source: str, kind: str, **kwargs):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        for key, value in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = digest(self.kind, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def seal_existing(model_name: str, batch: int = 1000):
    """A migration's RunPython pair for `model_name` ("app.Model"): forwards encrypts the rows
    written before its sealed columns were (and fills their digests), backwards writes them plain
    again. Rows already sealed are read and written again unchanged in meaning."""

    def forwards(apps, schema_editor):
        model = apps.get_model(model_name)
        sealed = [f for f in model._meta.concrete_fields if isinstance(f, Sealed)]
        digests = [f for f in model._meta.concrete_fields if isinstance(f, Digest)]
        for rows in by_pk(model._base_manager.all(), batch):
            for row in rows:
                for field in digests:
                    setattr(row, field.attname, digest(field.kind, getattr(row, field.source)))
            model._base_manager.bulk_update(rows, [f.name for f in sealed + digests])

    def backwards(apps, schema_editor):
        model = apps.get_model(model_name)
        sealed = [f for f in model._meta.concrete_fields if isinstance(f, Sealed)]
        table, pk = model._meta.db_table, model._meta.pk.column
        quote = schema_editor.connection.ops.quote_name
        with schema_editor.connection.cursor() as cursor:
            # The stored text as written (the model's field would decrypt it), a page at a time.
            for page in by_pk(model._base_manager.only("pk"), batch):
                for field in sealed:
                    cursor.execute(
                        f"SELECT {quote(pk)}, {quote(field.column)} FROM {quote(table)} "
                        f"WHERE {quote(pk)} >= %s AND {quote(pk)} <= %s",
                        [page[0].pk, page[-1].pk],
                    )
                    for row_id, stored in cursor.fetchall():
                        if stored and stored.startswith(PREFIX):
                            cursor.execute(
                                f"UPDATE {quote(table)} SET {quote(field.column)} = %s WHERE {quote(pk)} = %s",
                                [decrypt(stored, field.purpose), row_id],
                            )

    return forwards, backwards


def sealed_models() -> list[type]:
    from django.apps import apps

    return [
        m for m in apps.get_models() if any(isinstance(f, Sealed | Digest) for f in m._meta.concrete_fields)
    ]


def reseal(model, batch: int = 1000) -> int:
    """Every row of `model` encrypted again under the current key and its digests recomputed under
    the current index key (a key rotation). Batches by primary key; returns the rows done."""
    fields = [f.name for f in model._meta.concrete_fields if isinstance(f, Sealed | Digest)]
    digests = [f for f in model._meta.concrete_fields if isinstance(f, Digest)]
    done = 0
    for rows in by_pk(model._base_manager.all(), batch):
        for row in rows:
            for field in digests:
                setattr(row, field.attname, digest(field.kind, getattr(row, field.source)))
        model._base_manager.bulk_update(rows, fields)
        done += len(rows)
    return done


def by_pk(rows, batch: int):
    """The rows of a queryset in pages of `batch`, by primary key, each page read after the last
    key of the one before: a table of millions is never held whole, not even its keys (a
    migration's seal_existing, a key rotation's reseal)."""
    last = None
    while True:
        page = rows.order_by("pk")
        page = list((page.filter(pk__gt=last) if last is not None else page)[:batch])
        if not page:
            return
        yield page
        last = page[-1].pk
