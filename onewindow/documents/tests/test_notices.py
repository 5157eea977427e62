"""Every written answer of a case as a PDF: driven through the case services into each state,
the notice is read back as text (pdftotext) and its QR code decoded (zxing-cpp on a 150 dpi
page), as the applicant and their phone would read it."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.cases.models import CaseMaterial
from onewindow.documents import notices
from onewindow.documents.tests.pdfs import qr_codes_of, text_of
from onewindow.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db
D = dt.date
ITEM = "食品经营许可（新办）"
WHERE_TO_TURN = "德州市德城区市场监督管理局"


def _kinds(case):
    return [n.kind.code for n in notices.issued(notices.case_for(case.number))]


def _read(case, kind):
    """The notice as printed now, from the case as stored."""
    pdf = notices.render(notices.case_for(case.number), kind)
    assert pdf.startswith(b"%PDF")
    return text_of(pdf), qr_codes_of(pdf)


def _materials(case, *numbers):
    by_no = {m.material.order: m.material_id for m in case.materials.select_related("material")}
    return [by_no[n] for n in numbers]


def _progress_url(case):
    return f"http://hall.example.cn/progress/?number={case.number}"


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.ONEWINDOW_PUBLIC_URL = "http://hall.example.cn"


def test_it_prints_the_acceptance_notice_with_number_item_due_date_and_qr(world, accepted):
    # given a case accepted on 2026-09-30, due 2026-10-13 (National Day holiday not counted)
    # when its acceptance notice is printed
    text, codes = _read(accepted, "acceptance")
    # then it carries the case number, the item, the due date in Chinese and the materials
    assert accepted.number in text and ITEM in text
    assert "办结期限为2026年10月13日" in text
    assert "2026年9月30日予以受理" in text
    for name in ("食品经营许可申请书", "营业执照", "食品安全管理制度"):
        assert name in text
    assert (
        "营业执照已收" in text and "测试市场监管局" in text and "（盖章）" in text
    )  # on paper: Alice holds none
    # and the applicant by name, the ID number masked (API.md "Personal data")
    id_number = world.alice_applicant.id_number
    assert "艾丽" in text and id_number not in text and f"{id_number[:4]}**********{id_number[-4:]}" in text
    # and its QR code opens the case's progress page
    assert codes == [_progress_url(accepted)]


def test_a_one_time_notice_lists_every_material_with_its_note_and_stays_as_issued(world, walk_in):
    # given a case handed in without materials 1 and 3 (the shared 2 on paper)
    with clock.frozen(D(2026, 9, 29)):
        case = walk_in(handed_in=(2,))
        ids = _materials(case, 1, 3)
        services.request_supplement(case, by=world.clerk, items=[
            {"material": ids[0], "note": "申请书未签字，请法定代表人签字", "defective": True},
            {"material": ids[1], "note": "请提交加盖公章的食品安全管理制度"}])  # fmt: skip
    assert _kinds(case) == ["supplement_request"]
    text, codes = _read(case, "supplement_request")
    assert case.number in text and ITEM in text and "告知日期：2026年9月29日" in text
    assert "食品经营许可申请书需补正申请书未签字，请法定代表人签字" in text
    assert "食品安全管理制度缺少请提交加盖公章的食品安全管理制度" in text
    assert codes == [_progress_url(case)]
    # when the applicant supplements and the case is accepted the next day
    with clock.frozen(D(2026, 9, 30)):
        services.supplement(case, by=world.alice, materials=ids)
        services.accept(case, by=world.clerk)
    # then the case has both notices, and the one-time notice still says what was asked then
    assert _kinds(case) == ["supplement_request", "acceptance"]
    assert CaseMaterial.objects.filter(case=case, state="missing").count() == 0
    again, _ = _read(case, "supplement_request")
    assert "请提交加盖公章的食品安全管理制度" in again and "告知日期：2026年9月29日" in again
    assert "办结期限为2026年10月13日" in _read(case, "acceptance")[0]


def test_a_refusal_gives_the_reason_where_to_turn_and_the_rights_of_redress(world, walk_in):
    with clock.frozen(D(2026, 10, 9)):
        case = walk_in()
        services.refuse(
            case, by=world.clerk, reason="申请事项不属于本机关职权范围", where_to_turn=WHERE_TO_TURN
        )
    assert _kinds(case) == ["refusal"]
    text, codes = _read(case, "refusal")
    assert case.number in text and ITEM in text and "决定日期：2026年10月9日" in text
    assert "申请事项不属于本机关职权范围" in text and f"可以向{WHERE_TO_TURN}提出申请" in text
    assert "60日内向德州市人民政府申请行政复议" in text and "6个月内依法向人民法院提起行政诉讼" in text
    assert codes == [_progress_url(case)]


def test_a_tolerant_acceptance_gives_an_acceptance_notice_and_a_promise_to_sign(world, walk_in):
    with clock.frozen(D(2026, 9, 30)):
        case = walk_in(handed_in=(1, 2))
        services.accept_tolerantly(case, by=world.clerk, supply_by=D(2026, 10, 10))
    assert _kinds(case) == ["acceptance", "tolerance_promise"]
    text, codes = _read(case, "tolerance_promise")
    assert case.number in text and ITEM in text
    assert "于2026年10月10日前补齐" in text and "食品安全管理制度" in text
    assert "办结期限为2026年10月13日" in text and "承诺人（签字或盖章）" in text
    assert codes == [_progress_url(case)]
    acceptance, _ = _read(case, "acceptance")
    assert "容缺受理" in acceptance and "食品安全管理制度容缺后补" in acceptance
    assert "办结期限为2026年10月13日" in acceptance


def test_a_suspension_notice_tells_its_start_and_later_its_end_and_new_deadline(world, accepted):
    with clock.frozen(D(2026, 10, 9)):
        services.suspend(accepted, by=world.reviewer_a, kind="expert_review", reason="需组织食品安全专家现场评审",
                         expected_days=3)  # fmt: skip
    text, codes = _read(accepted, "suspension")
    assert accepted.number in text and ITEM in text
    assert "需要进行专家评审，自2026年10月9日起进入特别程序，预计需要3个工作日" in text
    assert "进入特别程序时的办结期限为2026年10月13日" in text and "本机关将书面告知顺延后的办结期限" in text
    assert codes == [_progress_url(accepted)]
    # when it ends on 10-14: four working days passed (10-10 is a make-up Saturday, 10-12 … 10-14)
    with clock.frozen(D(2026, 10, 14)):
        services.resume(accepted, by=world.reviewer_a)
    text, _ = _read(accepted, "suspension")
    assert "特别程序已于2026年10月14日结束" in text and "顺延后的办结期限为2026年10月19日" in text


def test_a_decision_approves_and_names_the_license_to_come(world, accepted):
    with clock.frozen(D(2026, 10, 12)):
        services.review(accepted, by=world.reviewer_a, opinion="符合条件")
        services.decide(accepted, by=world.head_a, approve=True)
    assert _kinds(accepted) == ["acceptance", "decision"]
    text, codes = _read(accepted, "decision")
    assert text.startswith("准予行政许可决定书") or "准予行政许可决定书" in text
    assert accepted.number in text and ITEM in text and "办结期限：2026年10月13日" in text
    assert "决定日期：2026年10月12日" in text and "十个工作日内向你（单位）颁发、送达食品经营许可证" in text
    assert "行政复议" not in text
    assert codes == [_progress_url(accepted)]


def test_a_denial_gives_its_reasons_and_the_rights_of_redress(world, accepted):
    with clock.frozen(D(2026, 10, 12)):
        services.review(accepted, by=world.reviewer_a, opinion="经营场所不符合要求")
        services.decide(
            accepted, by=world.head_a, approve=False, reason="经营场所与食品加工流程不符合卫生规范"
        )
    text, codes = _read(accepted, "decision")
    assert "不予行政许可决定书" in text and accepted.number in text and ITEM in text
    assert "办结期限：2026年10月13日" in text
    assert "经营场所与食品加工流程不符合卫生规范" in text
    assert "60日内向德州市人民政府申请行政复议" in text and "6个月内依法向人民法院提起行政诉讼" in text
    assert codes == [_progress_url(accepted)]


def test_a_commitment_approval_is_decided_at_once(world, food, walk_in):
    from onewindow.personas import all_required, published_item

    published_item(world, code="T-GT-0001", name="个体工商户设立登记", type="confirmation", commitment_approval=True,
                   promised_limit_days=1, license_type="营业执照",
                   steps=[{"name": "决定", "role": "department_head", "days": 1}])  # fmt: skip
    from onewindow.catalog.models import ServiceItem

    version = ServiceItem.objects.get(code="T-GT-0001").current
    with clock.frozen(D(2026, 9, 30)):
        case = services.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel="window",
                               by=world.clerk, handed_in=all_required(version))  # fmt: skip
        services.approve_by_commitment(case, by=world.clerk, commitment="本人承诺经营场所合法")
    assert _kinds(case) == ["decision"]
    text, _ = _read(case, "decision")
    assert "准予办理决定书" in text and "告知承诺制" in text and "个体工商户设立登记" in text
    assert "办结期限：2026年10月8日" in text  # one working day after the National Day holiday


def test_it_prints_the_project_code_of_an_investment_project(world, accepted):
    accepted.project_code = "2026-371400-47-01-000123"
    accepted.save(update_fields=["project_code"])
    text, _ = _read(accepted, "acceptance")
    assert "项目代码：2026-371400-47-01-000123" in text


def test_a_case_has_no_notice_before_its_written_answer_and_unknown_kinds_are_refused(world, walk_in):
    case = walk_in()
    assert _kinds(case) == []
    with pytest.raises(NotFound) as missing:
        notices.render(case, "acceptance")
    assert missing.value.code == "notice.not_available"
    with pytest.raises(DomainError) as unknown:
        notices.render(case, "receipt")
    assert unknown.value.code == "notice.unknown_kind" and unknown.value.status == 400


def test_notice_numbers_are_stable_and_dates_are_written_in_chinese(world, accepted):
    first = notices.issued(accepted)[0]
    assert first.number == "测试市政务服务中心受字〔2026〕第0001号"  # the hall's name stands in for its 代字
    assert notices.issued(accepted)[0].number == first.number
    assert notices.chinese_date(D(2026, 10, 3)) == "2026年10月3日"


def test_an_application_left_unanswered_is_deemed_accepted_and_the_notice_says_so(world, walk_in):
    from onewindow.cases import jobs

    # given an application received on Monday 2026-09-21 and not answered in 5 working days
    # (Mid-Autumn Festival, Friday 09-25, not counted)
    with clock.frozen(D(2026, 9, 21)):
        case = walk_in()
    with clock.frozen(D(2026, 9, 30)):
        assert jobs.auto_accept_overdue_intake() == 1
    # then its acceptance notice cites art. 32 and counts from the day of receipt
    text, _ = _read(case, "acceptance")
    assert "第三十二条，自收到申请材料之日即2026年9月21日起即为受理" in text
    assert "办结期限为2026年9月29日" in text and case.number in text and ITEM in text


def test_a_return_for_correction_during_review_is_a_one_time_notice_with_the_deadline(world, accepted):
    [material] = _materials(accepted, 3)
    with clock.frozen(D(2026, 10, 9)):
        services.return_for_correction(accepted, by=world.reviewer_a, items=[
            {"material": material, "note": "管理制度缺少进货查验记录制度"}])  # fmt: skip
    assert _kinds(accepted) == ["acceptance", "supplement_request"]
    text, codes = _read(accepted, "supplement_request")
    assert "已于2026年9月30日受理" in text and "食品安全管理制度需补正管理制度缺少进货查验记录制度" in text
    assert "告知时的办结期限为2026年10月13日" in text and "告知日期：2026年10月9日" in text
    assert codes == [_progress_url(accepted)]


def test_a_notice_read_while_the_case_moves_on_takes_its_facts_from_the_events(world, walk_in):
    # given the case row as read a moment before the clerk's acceptance committed
    with clock.frozen(D(2026, 9, 30)):
        case = walk_in()
        before = notices.case_for(case.number)
        services.accept(case, by=world.clerk)
    # when the notice is made from that row and the events read after it
    text = text_of(notices.render(before, "acceptance"))
    # then the acceptance day and deadline are those the events recorded
    assert "本机关决定于2026年9月30日予以受理" in text and "办结期限为2026年10月13日" in text
