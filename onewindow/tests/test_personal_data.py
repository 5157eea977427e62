"""ID numbers and phones are encrypted at rest and found by their keyed digests (issue 21 item 3;
onewindow/pii.py)."""

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow import pii
from onewindow.accounts import services as accounts
from onewindow.accounts.models import Applicant
from onewindow.cases import pages
from onewindow.errors import DomainError
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db

ID = "371402199001010017"
PHONE = "13912345678"


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _register(world, id_number=ID, phone=PHONE):
    return accounts.register_applicant(
        kind="natural", name="王小明", id_number=id_number, phone=phone, region_code=world.district.code
    )


def test_the_database_holds_no_id_number_or_phone_in_clear(world):
    applicant = _register(world)
    for column, plain in (("id_number", ID), ("phone", PHONE)):
        stored = _stored("accounts_applicant", column, applicant.pk)
        assert stored.startswith(pii.PREFIX) and plain not in stored and plain[-6:] not in stored
    assert ID not in _stored("accounts_applicant", "id_number_digest", applicant.pk)
    fresh = Applicant.objects.get(pk=applicant.pk)
    assert (fresh.id_number, fresh.phone) == (ID, PHONE)
    assert Applicant.objects.filter(pk=applicant.pk).values_list("phone", flat=True).get() == PHONE


def test_an_applicant_is_found_by_the_digest_of_the_number_typed(world):
    applicant = _register(world)
    assert pages.find_applicant(" " + ID + " ") == applicant
    assert pages.find_applicant("371402199001010025") is None


def test_the_same_id_number_cannot_be_registered_twice(world):
    _register(world)
    with pytest.raises(DomainError):
        _register(world, phone="13900000000")
    assert Applicant.objects.filter(id_number_digest=pii.digest("id_number", ID)).count() == 1


def test_a_lookup_by_the_encrypted_value_is_refused_not_silently_empty(world):
    _register(world)
    with pytest.raises(TypeError, match="digest"):
        list(Applicant.objects.filter(id_number=ID))
    assert Applicant.objects.exclude(phone="").count() >= 1  # the empty value still compares


def test_a_ciphertext_moved_to_another_column_does_not_open(world):
    applicant = _register(world)
    stored = _stored("accounts_applicant", "id_number", applicant.pk)
    with pytest.raises(InvalidTag):
        pii.decrypt(stored, "applicant.phone")


def test_keys_rotate_old_rows_stay_readable_then_are_resealed(world, settings):
    development = base64.b64encode(pii.keyring().keys["dev"]).decode()  # the world's rows
    settings.ONEWINDOW_PII_KEYS = f"k1:{_key()},dev:{development}"
    applicant = _register(world)
    assert pii.key_id_of(_stored("accounts_applicant", "phone", applicant.pk)) == "k1"
    old = settings.ONEWINDOW_PII_KEYS
    settings.ONEWINDOW_PII_KEYS = f"k2:{_key()},{old}"
    assert Applicant.objects.get(pk=applicant.pk).phone == PHONE  # read under the old key
    call_command("rotate_personal_data", stdout=open(os.devnull, "w"))
    assert pii.key_id_of(_stored("accounts_applicant", "phone", applicant.pk)) == "k2"
    settings.ONEWINDOW_PII_KEYS = settings.ONEWINDOW_PII_KEYS.split(",")[0]  # k1 and dev retired
    assert Applicant.objects.get(pk=applicant.pk).phone == PHONE


def test_a_new_index_key_needs_the_rotation_to_find_people_again(world, settings):
    applicant = _register(world)
    settings.ONEWINDOW_PII_INDEX_KEY = _key()
    assert pages.find_applicant(ID) is None
    call_command("rotate_personal_data", stdout=open(os.devnull, "w"))
    assert pages.find_applicant(ID) == applicant


def test_the_migration_seals_rows_written_in_clear(world):
    applicant = _register(world)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_applicant SET phone = %s, id_number_digest = 'stale' WHERE id = %s",
                       [PHONE, applicant.pk])  # fmt: skip
    assert Applicant.objects.get(pk=applicant.pk).phone == PHONE  # plain rows read as they are
    forwards, backwards = pii.seal_existing("accounts.Applicant")
    forwards(apps, None)
    assert _stored("accounts_applicant", "phone", applicant.pk).startswith(pii.PREFIX)
    assert pages.find_applicant(ID) == applicant

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    backwards(apps, editor)
    assert _stored("accounts_applicant", "phone", applicant.pk) == PHONE


def test_the_migration_reads_a_page_at_a_time_never_every_key(world):
    phones = [f"1391234560{i}" for i in range(5)]
    rows = [
        _register(world, id_number=id_number(f"3714021990010102{i}"), phone=p) for i, p in enumerate(phones)
    ]
    with connection.cursor() as cursor:
        for row, phone in zip(rows, phones, strict=True):
            cursor.execute("UPDATE accounts_applicant SET phone = %s WHERE id = %s", [phone, row.pk])
    forwards, backwards = pii.seal_existing("accounts.Applicant", batch=2)
    with CaptureQueriesContext(connection) as reads:
        forwards(apps, None)
    assert all(_stored("accounts_applicant", "phone", row.pk).startswith(pii.PREFIX) for row in rows)
    selects = [q["sql"] for q in reads.captured_queries if q["sql"].startswith("SELECT")]
    # Pages of two, each bounded: no SELECT of every key, however many rows there are.
    assert len(selects) >= 4 and all("LIMIT 2" in sql for sql in selects)
    editor = type("Editor", (), {"connection": connection})()
    backwards(apps, editor)
    assert [_stored("accounts_applicant", "phone", row.pk) for row in rows] == phones


def test_a_malformed_key_setting_is_refused():
    with pytest.raises(pii.KeySettingError):
        pii.parse_keys("k1:abc")
    with pytest.raises(pii.KeySettingError):
        pii.parse_keys(f"k1:{_key()},k1:{_key()}")
    assert list(pii.parse_keys(f"new:{_key()},old:{_key()}")) == ["new", "old"]


def test_the_person_sees_every_unmasked_read_of_their_numbers(world):
    from django.test import Client

    alice = world.alice_applicant
    accounts.read_unmasked(alice, by=world.clerk, purpose="窗口受理核验")
    client = Client()
    client.force_login(world.alice)
    page = client.get("/my/data-reads/").content.decode()
    assert (
        "窗口受理核验" in page
        and "柯萝" in page
        and "身份证号码、手机号码" in page
        and "统一社会信用代码" not in page
    )
    client.force_login(world.outsider)
    assert "柯萝" not in client.get("/my/data-reads/").content.decode()
