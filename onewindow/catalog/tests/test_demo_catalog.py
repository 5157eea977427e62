"""The demo catalog is a data file (catalog/data/demo_catalog.toml): the seeding creates exactly
what it says, and an entry that breaks a catalog rule stops the loading with the item's name."""

import pytest

from onewindow.catalog import demo
from onewindow.catalog import services as catalog
from onewindow.catalog.models import Bundle, LifeEvent, ServiceItem
from onewindow.web import demo as hall_demo

GOOD_ITEM = """
[[items]]
code = "TEST-XK-0001"
name = "测试许可"
department = "371400-xzsp"
type = "licensing"
legal_limit_days = 10
promised_limit_days = 5
life_events = ["开办企业"]
materials = [
    { name = "申请书", key = true },
    { name = "委托书", required = false, condition = "委托他人办理的提交", tolerable = true },
]
steps = [
    { name = "审查", role = "reviewer", days = 3 },
    { name = "决定", role = "department_head", days = 2 },
]
"""


def _parse(item: str = GOOD_ITEM, tail: str = "") -> demo.DemoCatalog:
    return demo.parse('life_events = ["开办企业"]\n' + item + tail)


def test_a_material_gets_the_model_defaults_for_what_it_does_not_say():
    [item] = _parse().items
    assert item["materials"][0] == {
        "name": "申请书", "form": "original", "copies": 1, "required": True, "condition": "", "key": True,
        "tolerable": False, "source": "applicant", "shared_by": "",
    }  # fmt: skip


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("promised_limit_days = 5", "promised_limit_days = 12"),
            "承诺办结时限（12个工作日）不得超过法定办结时限",
        ),
        (
            ('{ name = "申请书", key = true }', '{ name = "申请书", key = true, tolerable = true }'),
            "不能设为可容缺",
        ),
        (("days = 2 }", "days = 3 }"), "各环节时限合计6个工作日，超过承诺办结时限5个工作日"),
        (
            ("steps = [", "steps = [\n" + '    { name = "核查", role = "reviewer", days = 0 },\n' * 3),
            "办理环节最多4个",
        ),
        (('{ name = "申请书", key = true }', '{ name = "申请书", kye = true }'), "未知字段 kye"),
        (('type = "licensing"', 'type = "licensing"\npromised_days = 3'), "未知字段 promised_days"),
    ],
)
def test_a_broken_item_fails_the_loading_with_its_code_and_name(change, message):
    with pytest.raises(demo.DemoCatalogError) as err:
        _parse(GOOD_ITEM.replace(*change))
    assert "事项 TEST-XK-0001（测试许可）" in str(err.value) and message in str(err.value)


def test_a_bundle_of_an_unknown_item_fails_the_loading():
    bundle = '\n[[bundles]]\ncode = "YJS-T"\nname = "测试一件事"\nitems = ["TEST-XK-0001", "NONE-0001"]\n'
    with pytest.raises(
        demo.DemoCatalogError, match="一件事 YJS-T（测试一件事）：事项 NONE-0001 不在演示目录中"
    ):
        _parse(tail=bundle)


def test_the_demo_file_passes_every_rule():
    data = demo.load()
    assert len(data.items) >= 90 and len(data.bundles) >= 8


def test_the_demo_catalog_covers_a_life_and_a_company_from_start_to_end():
    """Issue 15: from birth to death, from set-up through change to 注销; every item names its
    legal basis and a department of the demo hall."""
    data = demo.load()
    names = " ".join(i["name"] for i in data.items)
    for step in ["出生登记", "出生医学证明", "入学", "身份证", "户口迁移", "结婚登记", "离婚登记", "就业登记",
                 "失业", "参保登记", "公积金", "不动产", "生育", "退休", "死亡", "丧葬", "企业设立登记",
                 "法定代表人变更", "住所变更", "经营范围变更", "纳税人", "公章", "许可", "简易注销",
                 "一般注销", "税务注销"]:  # fmt: skip
        assert step in names, step
    departments = {code for code, *_ in hall_demo.DEPARTMENTS}
    for item in data.items:
        assert item["department"] in departments, item["code"]
        assert item.get("basis") and item.get("basis_citation"), item["code"]
        assert item["promised_limit_days"] <= item["legal_limit_days"], item["code"]
        assert item["materials"], item["code"]


@pytest.mark.django_db
def test_the_seeded_catalog_is_the_file():
    # given
    data = demo.load()
    hall_demo.seed()
    # when
    catalog.load_demo(data)
    # then: every item, material, step, life event and bundle as the file says, in its order
    assert list(LifeEvent.objects.order_by("order").values_list("name", flat=True)) == data.life_events
    for listed in data.items:
        version = ServiceItem.objects.get(code=listed["code"]).versions.get(number=1)
        elements = catalog.item_elements(listed)
        assert {f: getattr(version, f) for f in elements} == elements, listed["code"]
        assert version.item.department.code == listed["department"]
        assert sorted(e.name for e in version.life_events.all()) == sorted(listed["life_events"])
        materials = [
            {f: getattr(m, f) for f in catalog.MATERIAL_FIELDS}
            | {"shared_by": m.shared_by.code if m.shared_by else ""}
            for m in version.materials.select_related("shared_by")
        ]
        assert materials == listed["materials"], listed["code"]
        steps = [{f: getattr(s, f) for f in catalog.STEP_FIELDS} for s in version.steps.all()]
        assert steps == listed["steps"], listed["code"]
    assert ServiceItem.objects.count() == len(data.items)
    for listed in data.bundles:
        bundle = Bundle.objects.get(code=listed["code"])
        assert [e.item.code for e in bundle.entries.order_by("order")] == listed["items"]
        assert (bundle.name, bundle.promised_limit_days, bundle.lead_department.code) == (
            listed["name"], listed["promised_limit_days"], listed["lead_department"],
        )  # fmt: skip
