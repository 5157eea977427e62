"""The lifelong project code: its layout, its check character (every single-character change and
every swap of two neighbours is caught), and a mistyped code refused with a clear message."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.projects import codes
from onewindow.projects.tests.conftest import MONDAY, register

TYPED = string.digits + string.ascii_uppercase + "-"  # what a keyboard gives after upper-casing


def _code(serial=12, region6="371402", industry="48", approval_type="filing", year=2026):
    return codes.compose(
        year=year, region6=region6, industry=industry, approval_type=approval_type, serial=serial
    )


def test_it_lays_out_time_region_industry_type_serial_and_check():
    code = _code()
    assert len(code) == 24 and code[:-1] == "2026-371402-48-03-00012"
    assert codes.code_error(code) is None
    assert code[-1] == codes.check_character(code[:-1].replace("-", ""))
    assert (
        _code(approval_type="approval")[15:17] == "01" and _code(approval_type="ratification")[15:17] == "02"
    )


def _changes(code: str):
    for i, original in enumerate(code):
        for c in TYPED:
            if c != original:
                yield code[:i] + c + code[i + 1 :]


@settings(max_examples=40)
@given(
    serial=st.integers(1, codes.MAX_SERIAL),
    region=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    industry=st.sampled_from(["01", "13", "47", "48", "70", "97"]),
    kind=st.sampled_from(list(codes.TYPE_CODES)),
    year=st.integers(2017, 2099),
)
def test_every_single_character_change_is_detected(serial, region, industry, kind, year):
    code = _code(serial=serial, region6=region, industry=industry, approval_type=kind, year=year)
    assert codes.code_error(code) is None
    undetected = [changed for changed in _changes(code) if codes.code_error(changed) is None]
    assert undetected == []


@given(serial=st.integers(1, codes.MAX_SERIAL), region=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
def test_every_swap_of_two_neighbours_is_detected(serial, region):
    code = _code(serial=serial, region6=region)
    swaps = [
        code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        for i in range(len(code) - 1)
        if code[i] != code[i + 1]
    ]
    assert [s for s in swaps if codes.code_error(s) is None] == []


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2026-371402-48-03-0001", "project.code_length"),
        ("2026/371402/48/03/00012X", "project.code_format"),
        ("2026-371402-48-03-00012" + "Q", "project.code_check"),
    ],
)
def test_a_mistyped_code_is_refused_with_the_reason(typed, reason):
    with pytest.raises(DomainError) as refused:
        codes.valid_code(typed)
    assert (
        refused.value.code == reason and refused.value.status == 400 and "项目代码" in refused.value.message
    )


def test_digits_of_other_scripts_are_not_digits_of_a_code():
    code = _code()
    assert codes.code_error(code[:5] + "٣" + code[6:]).code == "project.code_format"


def test_it_reads_codes_as_people_type_them():
    code = _code()
    assert codes.valid_code(f"  {code.lower().replace('-', '－')} ") == code


def test_the_serial_space_ends_with_a_clear_error():
    with pytest.raises(DomainError) as refused:
        _code(serial=codes.MAX_SERIAL + 1)
    assert refused.value.code == "project.serial_exhausted"


@pytest.mark.django_db
def test_serials_count_per_region_and_year(world, cast):
    with clock.frozen(MONDAY):
        first, second = register(world, cast), register(world, cast)
        city = register(world, cast, region_code=world.city.code)
    assert first.code[:12] == second.code[:12] == "2026-371402-"
    assert int(second.code[18:23]) == int(first.code[18:23]) + 1
    assert city.code.startswith("2026-371400-47-03-00001")


@pytest.mark.django_db
def test_a_mistyped_code_is_refused_by_the_api_and_the_page_with_its_reason(world, cast, project, as_user):
    i = 20  # one digit of the serial changed
    typo = project.code[:i] + str((int(project.code[i]) + 1) % 10) + project.code[i + 1 :]
    answer = as_user(cast.owner).get(f"/api/v1/projects/{typo}")
    assert answer.status_code == 400 and answer.json()["code"] == "project.code_check"
    assert "校验码不正确" in answer.json()["message"]
    page = as_user(cast.owner).get("/projects/", {"q": typo})
    assert page.status_code == 400 and "校验码不正确" in page.content.decode()
    assert (
        as_user(cast.owner).get("/projects/", {"q": project.code.lower()}).url == f"/projects/{project.code}/"
    )
    unknown = _code(serial=99_999, region6="371402", industry="47")
    assert as_user(cast.owner).get(f"/api/v1/projects/{unknown}").status_code == 404
