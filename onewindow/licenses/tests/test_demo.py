"""The demo's licenses and fees are made through the services and can be seeded again."""

import pytest

from onewindow.catalog import demo as catalog_demo
from onewindow.catalog import services as catalog
from onewindow.licenses import demo, queries
from onewindow.licenses.models import Delivery, License
from onewindow.payments.models import PaymentNotice
from onewindow.web import demo as hall_demo

pytestmark = pytest.mark.django_db


def test_the_demo_tells_each_story_once(db):
    hall_demo.seed()
    catalog.load_demo(catalog_demo.load())
    assert demo.seed() == demo.seed() == {"licenses": 3}
    assert sorted(License.objects.values_list("name", flat=True)) == [
        "营业执照",
        "营业执照（个体工商户）",
        "食品经营许可证",
    ]
    assert Delivery.objects.get().signed_by == "张伟"
    notices = PaymentNotice.objects.order_by("amount_fen")
    assert [(n.amount_fen, n.state) for n in notices] == [(2000, "checked"), (4000, "issued")]
    # 不见面: the online 居民身份证换领 is to be posted, its checked notice payable online
    online = notices[0].case
    assert (online.channel, online.delivery_choice.method, online.delivery_choice.recipient) == (
        "portal", "post", "张伟")  # fmt: skip
    permit = License.objects.get(name="食品经营许可证").case
    assert [s["license"].name for s in queries.shared_materials(permit)] == ["营业执照"]
