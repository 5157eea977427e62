"""The reasons' sentences: the figures they quote, and no reason that reads as a contradiction."""

import numpy as np

from onewindow.foresight import reasons

FIGURES = {"step": "审查", "step_mean": 4.2, "remaining": 2, "elapsed": 3, "behind": 1, "dept_open": 38,
           "per_reviewer": 12.7, "paused": 0, "holiday_in": 4, "department": 7, "department_name": "住建局",
           "item": 56}  # fmt: skip
RATES = {
    "overall": 0.09,
    "department": {"7": 0.31, "8": 0.05},
    "step": {"56:审查": 0.41},
    "item": {"56": 0.08},
}


def test_each_sentence_quotes_the_cases_figures_and_the_historys():
    said = {
        k: reasons.sentence(k, FIGURES, RATES)
        for k in ("behind", "per_reviewer", "department", "step", "holiday")
    }
    assert said["behind"] == "「审查」环节已超出环节时限 1 个工作日，剩余 2 个工作日"
    assert said["per_reviewer"] == "本科室在办 38 件（人均 12.7 件）"
    assert said["department"] == "住建局近期在办件最终逾期 31%（全中心 9%）"
    assert (
        said["step"].startswith("此步骤「审查」平均用时 4.2 个工作日，剩余 2 个工作日")
        and "41%" in said["step"]
    )
    assert said["holiday"] == "办结期限前逢长假（4 个工作日后放假）"
    late = FIGURES | {"remaining": -2}
    assert reasons.sentence("remaining", late, RATES) == "已超出办结期限 2 个工作日"


def test_a_level_no_later_than_the_hall_is_not_told_and_at_most_three_are():
    told = reasons.told(["item", "behind", "department", "step", "per_reviewer"], FIGURES, RATES)
    assert [r["key"] for r in told] == ["behind", "department", "step"]  # the item is late less than the hall
    calm = FIGURES | {"department": 8}
    assert "department" not in [r["key"] for r in reasons.told(["department", "behind"], calm, RATES)]


def test_top_keeps_the_largest_positive_contributions_in_order():
    contrib = np.array([[0.9, -0.2, 0.04, 0.3], [-0.1, -0.2, -0.3, -0.4]])
    assert reasons.top(contrib, ["a", "b", "c", "d"]) == [["a", "d"], []]


def test_what_was_said_once_is_not_said_again():
    told = reasons.told(["remaining", "behind", "elapsed", "step"], FIGURES | {"behind": -1}, RATES)
    assert [r["key"] for r in told] == ["behind", "step"]
    assert told[0]["text"] == "「审查」环节已用 3 个工作日，剩余 2 个工作日"
    assert told[1]["text"].startswith("此步骤「审查」平均用时 4.2 个工作日；处于此步骤的办件最终逾期 41%")
