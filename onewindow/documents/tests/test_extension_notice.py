"""Issue 13 rule 8 (a): an art. 42 extension is told in writing — a 延期告知书 with the reason and
the new date, and an SMS saying the same. Both read the date the working-day clock gave."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.documents import notices
from onewindow.documents.tests.pdfs import text_of
from onewindow.notify.models import Event, Message

pytestmark = pytest.mark.django_db
D = dt.date
REASON = "需赴外地核实生产场所，法定期限内不能作出决定"


def test_an_extension_is_told_by_notice_and_sms_with_the_reason_and_the_new_date(world, accepted):
    # given a case accepted Wed 2026-09-30, due 2026-10-13 (National Day holiday not counted)
    assert accepted.due_on == D(2026, 10, 13)
    # when the head extends it by 10 working days on Mon 10-12
    with clock.frozen(D(2026, 10, 12)):
        services.extend(accepted, by=world.head_a, days=10, reason=REASON)
    # then the case has a 延期告知书 …
    case = notices.case_for(accepted.number)
    assert [n.kind.code for n in notices.issued(case)] == ["acceptance", "extension"]
    notice = notices.issued_one(case, "extension")
    assert notice.title == "延期告知书" and notice.number == "测试市政务服务中心延字〔2026〕第0001号"
    text = text_of(notices.render(case, "extension"))
    # … with the reason, the days and the new date: 10 working days after 10-13 is Tue 10-27
    assert REASON in text and "延长10个工作日" in text
    assert "原办结期限为2026年10月13日" in text and "延长后的办结期限为2026年10月27日" in text
    assert "第四十二条" in text and "延期决定日期：2026年10月12日" in text
    # and the applicant gets an SMS saying the same
    sms = Message.objects.get(subject_kind="case", subject_key=accepted.number, event=Event.EXTENDED)
    assert REASON in sms.text and "延期10个工作日" in sms.text and "2026年10月27日" in sms.text


def test_the_notice_keeps_the_date_it_gave_after_a_later_suspension(world, accepted):
    with clock.frozen(D(2026, 10, 12)):
        services.extend(accepted, by=world.head_a, days=2, reason=REASON)
        services.suspend(accepted, by=world.reviewer_a, kind="expert_review", reason="专家评审")
    with clock.frozen(D(2026, 10, 16)):
        services.resume(accepted, by=world.reviewer_a)
    text = text_of(notices.render(notices.case_for(accepted.number), "extension"))
    assert "延长后的办结期限为2026年10月15日" in text  # 10-14, 10-15: as told on 10-12
