"""A sealed bid cannot be read before the opening through any path (issue 20's acceptance): the
API (the project, the board, a bid, the caller's receipts) for everyone — the trading center, the
superuser, the bidder itself; the admin's lists and pages; the open data (a project's package,
the change feed, a release); the project's page if the pages exist; and the stored bytes, read
with raw SQL. At the opening every bid decrypts and hashes to its receipt — and the same paths
then do show the prices, so the needles below are ones these checks would find."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import get_resolver

from onewindow.accounts.models import User
from onewindow.tests.url_patterns import url_patterns
from onewindow.trading import bids, sealing
from onewindow.trading.models import Bid, Project
from onewindow.trading.tests.conftest import BEFORE, OPENING

pytestmark = pytest.mark.django_db

PRICES = (187_654_321, 176_543_219, 165_432_198)
PROPOSALS = ("独家专利工法甲ZQX7731", "独家专利工法乙ZQX7732", "独家专利工法丙ZQX7733")


@pytest.fixture
def sealed(world, announce, new_bidder, api, at):
    """A project with three bids (through the API, their receipts kept), the clock before the
    opening; the superuser (hall admin) ready for the admin."""
    project = announce()
    firms = [new_bidder(n) for n in (1, 2, 3)]
    at(BEFORE)
    receipts = {}
    for firm, price, proposal in zip(firms, PRICES, PROPOSALS, strict=True):
        answer = api(firm.user).post(f"/trading/projects/{project.number}/bid",
                                     {"price_fen": price, "days": 120, "proposal": proposal})  # fmt: skip
        assert answer.status_code == 201
        receipts[firm.credit_code] = answer.json()
    User.objects.filter(pk=world.hall_admin.pk).update(is_staff=True, is_superuser=True)
    root = User.objects.create_superuser("root", "root@example.org", "x")
    return project, firms, receipts, root


def needles(firms) -> list[str]:
    """What must not show before the opening: prices (fen and yuan), proposals, who bid."""
    found = (
        [str(p) for p in PRICES] + [f"{p / 100:,.2f}" for p in PRICES] + [f"{p / 100:.2f}" for p in PRICES]
    )
    found += list(PROPOSALS) + [f.name for f in firms] + [f.credit_code for f in firms]
    return found + ["numberOfTenderers", "tenderers", "bid_count"]


def leaks(text: str, firms, *, allow=()) -> list[str]:
    return [n for n in needles(firms) if n in text and n not in allow]


def readers(world, trading, firms, root):
    return {"anonymous": None, "officer": trading.officer, "superuser": root, "hall_admin": world.hall_admin,
            "owner": trading.owner, "supervisor": world.supervisor, "bidder": firms[0].user}  # fmt: skip


def test_no_path_reads_a_bid_before_the_opening(sealed, world, trading, api, as_user, at):
    project, firms, receipts, root = sealed
    path = f"/trading/projects/{project.number}"
    for second in (BEFORE, OPENING - dt.timedelta(seconds=1)):
        at(second)
        for who, user in readers(world, trading, firms, root).items():
            client = api(user)
            detail = client.get(path)
            assert detail.status_code == 200
            body = json.loads(detail.content)
            # A bidder sees only that it may withdraw its own bid; nothing names a bid or counts them.
            assert leaks(detail.content.decode(), firms) == [], who
            assert body["opening"] is None and body["results"] is None
            assert [e["action"] for e in body["events"]] == ["announce"], who
            assert leaks(client.get("/trading/projects").content.decode(), firms) == [], who
            for firm in firms + [None]:
                code = firm.credit_code if firm else "91371400MB9999999X"
                answer = client.get(f"{path}/bids/{code}")
                assert (answer.status_code, answer.json()["code"]) == (403, "trading.sealed"), (who, code)
                assert leaks(answer.content.decode(), firms, allow=[code]) == []
            for where in (f"{path}/ocds", "/trading/releases"):
                assert leaks(client.get(where).content.decode(), firms) == [], (who, where)
            release = project.releases.get().release_id
            assert leaks(client.get(f"/trading/releases/{release}").content.decode(), firms) == []
        # The bidder's own receipts: digests, no content.
        mine = api(firms[0].user).get(f"{path}/bids/mine")
        assert mine.json()["results"][0]["digest"] == receipts[firms[0].credit_code]["digest"]
        assert leaks(mine.content.decode(), firms) == []

    # Every step that could read a bid refuses before the time.
    early = api(trading.officer).post(f"{path}/open")
    assert (early.status_code, early.json()["code"]) == (403, "trading.sealed")

    # The admin: the lists and the bids' own pages show nothing of them.
    admin = as_user(root)
    for url in ("/admin/trading/bid/", "/admin/trading/projectevent/", "/admin/trading/project/",
                f"/admin/trading/project/{project.pk}/change/", "/admin/trading/release/",
                "/admin/trading/seat/", "/admin/trading/score/"):  # fmt: skip
        page = admin.get(url, follow=True)
        assert page.status_code == 200 and leaks(page.content.decode(), firms) == [], url
    for pk in Bid.objects.values_list("pk", flat=True):
        page = admin.get(f"/admin/trading/bid/{pk}/change/", follow=True)
        assert leaks(page.content.decode(), firms) == [] and "ciphertext" not in page.content.decode()

    # The project's pages, where the pages exist (built by another part of the work).
    pages = [route for route, pattern, namespace in url_patterns(get_resolver()) if namespace == "trading"
             and "<str:number>" in route and route.count("<") == 1]  # fmt: skip
    assert "trading/projects/<str:number>/" in pages  # the project page is checked, not skipped
    pages += ["trading/", "staff/trading/"]  # the board and the workbench list it too
    for route in pages:
        for who, user in readers(world, trading, firms, root).items():
            page = as_user(user).get("/" + route.replace("<str:number>", project.number), follow=True)
            assert page.status_code in (200, 403, 404) and leaks(page.content.decode(), firms) == [], (
                who,
                route,
            )

    # The stored bytes: no column of any trading table holds a price or a proposal in clear.
    clear = [str(p).encode() for p in PRICES] + [p.encode() for p in PROPOSALS]
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t.startswith("trading_")]
        assert "trading_bid" in tables
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    stored = bytes(value) if isinstance(value, memoryview | bytes) else str(value).encode()
                    assert not [c for c in clear if c in stored], (table, row)
        cursor.execute("SELECT ciphertext, digest FROM trading_bid")
        stored = cursor.fetchall()
    assert len(stored) == 3 and all(len(bytes(c)) > len(PROPOSALS[0].encode()) for c, _ in stored)

    # At the opening every bid decrypts to what was sent, hashing to its receipt…
    at(OPENING)
    bids.open_bids(project, by=trading.officer)
    for bid in Bid.objects.select_related("bidder", "project"):
        data, doc = sealing.open_document(bid)
        receipt = receipts[bid.bidder.credit_code]
        assert (
            data.decode() == receipt["document"] and sealing.digest(data) == receipt["digest"] == bid.digest
        )
        assert (doc["price_fen"], bid.opened_price_fen) == (PRICES[firms.index(bid.bidder)],) * 2
    # …and the same paths now show what the checks above looked for.
    shown = api(None).get(path).content.decode()
    assert all(str(p) in shown and firm.credit_code in shown for p, firm in zip(PRICES, firms, strict=True))
    assert "numberOfTenderers" in api(None).get(f"{path}/ocds").content.decode()
    assert PROPOSALS[1] in api(trading.officer).get(f"{path}/bids/{firms[1].credit_code}").content.decode()
    assert "1,876,543.21" in as_user(root).get("/admin/trading/bid/").content.decode()
    assert Project.objects.get(pk=project.pk).status == "opened"


def test_a_project_that_failed_unopened_stays_sealed(announce, new_bidder, bid, api, at, trading):
    project = announce()
    firm = new_bidder(1)
    bid(project, firm, PRICES[0], proposal=PROPOSALS[0])
    at(OPENING)
    assert bids.open_bids(project, by=trading.officer).status == "failed"
    for user in (trading.officer, firm.user):
        answer = api(user).get(f"/trading/projects/{project.number}/bids/{firm.credit_code}")
        assert (answer.status_code, answer.json()["code"]) == (403, "trading.sealed")
    assert str(PRICES[0]) not in api(None).get(f"/trading/projects/{project.number}/ocds").content.decode()
