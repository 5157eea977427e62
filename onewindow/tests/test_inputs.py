"""onewindow.inputs: what people type, checked one way for the market and the trading."""

import datetime as dt

import pytest

from onewindow import clock, inputs
from onewindow.errors import DomainError


@pytest.mark.parametrize("value", ["", "明天", "2026-13-01T09:00", "0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_typed_time_out_of_shape_or_of_this_world_is_refused(value):
    with pytest.raises(DomainError) as refused:
        inputs.parse_datetime(value, "opening_at", "开标时间", prefix="trading")
    assert refused.value.code == "trading.datetime" and refused.value.details == {"field": "opening_at"}


def test_a_typed_time_is_the_halls_unless_it_says_otherwise():
    at = inputs.parse_datetime("2026-11-23T09:30", "f", "时间", prefix="market")
    assert at == dt.datetime(2026, 11, 23, 9, 30, tzinfo=clock.hall_tz())
    utc = inputs.parse_datetime("2026-11-23T01:30+00:00", "f", "时间", prefix="market")
    assert utc == at


@pytest.mark.parametrize("value", ["2026-02-30", "0001-01-01", "x"])
def test_a_typed_date_is_checked(value):
    with pytest.raises(DomainError) as refused:
        inputs.parse_date(value, "signed_on", "签订日期", prefix="trading")
    assert refused.value.code == "trading.date"


@pytest.mark.parametrize("value", ["1e30", "-5", "NaN", "0.001", "abc", "99999999999999999"])
def test_amounts_out_of_shape_or_range_are_refused(value):
    with pytest.raises(DomainError) as refused:
        inputs.yuan_to_fen(value, "budget", "预算", prefix="market")
    assert refused.value.code == "market.amount"


def test_texts_refuse_control_characters_and_overlong():
    assert inputs.text("  项目  ", "t", "名称", 10, prefix="trading") == "项目"
    for bad, code in (
        ("a\x00b", "trading.control_character"),
        ("长" * 11, "trading.too_long"),
        ("", "trading.required"),
    ):
        with pytest.raises(DomainError) as refused:
            inputs.text(bad, "t", "名称", 10, prefix="trading")
        assert refused.value.code == code
