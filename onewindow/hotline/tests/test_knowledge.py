"""The knowledge base search (catalog's Chinese search over KnowledgeEntry), the reply templates
of a category, the KB page; and the category tree's seed (idempotent, departments by code)."""

import pytest

from onewindow import clock
from onewindow.accounts.models import Department, Role
from onewindow.catalog import search as catalog_search
from onewindow.hotline import knowledge, seed
from onewindow.hotline.models import Category, KnowledgeEntry, ReplyTemplate
from onewindow.personas import new_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(world):
    Department.objects.create(code="371400-zjj", name="住建局", region=world.city)
    Department.objects.create(code="371400-rsj", name="人社局", region=world.city)
    seed.seed_categories()
    seed.seed_knowledge()


def test_search_finds_the_entry_that_answers_and_nothing_for_an_unrelated_question(base):
    hits = knowledge.search("我家暖气不热，室温才十五度")
    assert hits and hits[0].question.startswith("暖气不热") and 0 < hits[0].relevance <= 1
    assert knowledge.search("老板拖欠工资三个月了")[0].question == "单位拖欠工资如何投诉？"
    # An entry sharing only a common word with the question is left out (relevance < 0.3).
    assert [e.question for e in knowledge.search("孩子上小学要什么材料")] == ["小学入学报名需要什么材料？"]
    assert knowledge.search("火星移民签证") == [] and knowledge.search("  ") == []


def test_a_changed_base_is_searched_at_once(base):
    assert knowledge.search("垃圾分类投放时间") == []
    entry = KnowledgeEntry.objects.create(question="垃圾分类投放时间是几点？", answer="每天7:00-9:00、18:00-20:00定时投放。",
                                          keywords="垃圾分类 投放", updated_at=clock.now())  # fmt: skip
    assert [e.pk for e in knowledge.search("垃圾分类投放时间")] == [entry.pk]
    KnowledgeEntry.objects.filter(pk=entry.pk).update(is_active=False)
    assert knowledge.search("垃圾分类投放时间") == []


def test_building_the_base_leaves_the_catalogs_segmentation_alone(base):
    before = catalog_search.words("公积金提取租房")
    KnowledgeEntry.objects.create(question="测试", answer="测试", keywords="金提取租", updated_at=clock.now())
    knowledge.search("公积金提取")
    assert catalog_search.words("公积金提取租房") == before


def test_templates_for_a_category_own_then_domain_then_general(base):
    heating = Category.objects.get(code="0102")
    domain = ReplyTemplate.objects.create(category=heating.parent, title="城建通用", text="已转住建部门。")
    ReplyTemplate.objects.create(category=heating, title="停用的", text="x", is_active=False)
    titles = [t.title for t in knowledge.templates_for(heating)]
    assert titles == ["供暖报修转办", domain.title, "咨询已答复"]
    assert [t.title for t in knowledge.templates_for(None)] == ["咨询已答复"]


def test_the_seed_is_idempotent_and_maps_departments_by_code(base):
    n = Category.objects.count()
    assert n == sum(1 + len(children) for *_, children in seed.TREE)
    heating = Category.objects.get(code="0102")
    assert heating.parent.code == "01" and heating.department.code == "371400-zjj"
    assert Category.objects.get(code="0301").department is None  # no 371400-scjg in this world
    # An operator's choice of department survives a re-run; a renamed category is put back.
    other = Department.objects.get(code="371400-rsj")
    Category.objects.filter(code="0102").update(department=other, name="暖气")
    assert seed.seed_categories() == {"created": 0, "updated": 1}
    heating.refresh_from_db()
    assert (heating.name, heating.department) == ("供暖", other)
    assert Category.objects.count() == n and seed.seed_knowledge() == {"knowledge": 0, "templates": 0}


def test_the_kb_page(client, world, base):
    client.force_login(new_staff("operator", "吴倩", Role.HOTLINE_OPERATOR, world.hall))
    html = client.get("/staff/hotline/kb/", {"q": "暖气不热"}).content.decode()
    assert 'data-testid="kb-hit"' in html and "11月15日" in html and 'data-testid="kb-copy"' in html
    empty = client.get("/staff/hotline/kb/", {"q": "火星移民签证"}).content.decode()
    assert 'data-testid="kb-empty"' in empty and 'data-testid="kb-hit"' not in empty
    client.force_login(world.clerk)
    assert client.get("/staff/hotline/kb/").status_code == 403


def test_the_command_loads_the_tree_twice_without_duplicates(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_hotline_categories", stdout=out)
    call_command("seed_hotline_categories", stdout=out)
    assert "新增 0 个，更新 0 个" in out.getvalue().splitlines()[-1]
    assert Category.objects.filter(parent=None).count() == len(seed.TREE)
