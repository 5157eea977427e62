"""Working-day arithmetic for other systems: GET /api/v1/workdays/add and …/between."""

import datetime as dt

from ninja import Field, Query, Router, Schema

from onewindow.accounts.permissions import public
from onewindow.workdays import calendar, queries
from onewindow.workdays.models import Day

router = Router(tags=["workdays"])


class AddOut(Schema):
    start: dt.date
    days: int
    date: dt.date = Field(..., description="起始日之后第 days 个工作日（起始日不计入）")
    provisional: bool = Field(..., description="区间内是否有尚未官方公布、按规则推算的日期")


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    workdays: int = Field(..., description="start 之后至 end（含）的工作日数")
    provisional: bool


class YearOut(Schema):
    year: int
    workdays: int
    holidays: int
    provisional: bool


class DayOut(Schema):
    date: dt.date
    is_workday: bool
    kind: str
    holiday_name: str
    source: str
    provisional: bool


@router.get("/add", response=AddOut, auth=None, operation_id="workdays_add")
@public
def add(request, date: dt.date, days: int = Query(..., ge=-3650, le=3650)):
    data = calendar.current()
    result = data.add_workdays(date, days)
    return {"start": date, "days": days, "date": result, "provisional": data.any_provisional(date, result)}


@router.get("/between", response=BetweenOut, auth=None, operation_id="workdays_between")
@public
def between(request, start: dt.date, end: dt.date):
    data = calendar.current()
    return {
        "start": start,
        "end": end,
        "workdays": data.seq(end) - data.seq(start),
        "provisional": data.any_provisional(start, end),
    }


@router.get("/years", response=list[YearOut], auth=None, operation_id="workdays_list_years")
@public
def years(request):
    return queries.years()


@router.get("/days/{date}", response=DayOut, auth=None, operation_id="workdays_get_day")
@public
def day(request, date: dt.date):
    row = Day.objects.filter(date=date).first()
    if row is None:
        raise calendar.out_of_range(date)
    return {
        "date": row.date,
        "is_workday": row.is_workday,
        "kind": row.kind,
        "holiday_name": row.holiday_name,
        "source": row.source,
        "provisional": row.source == Day.Source.PROVISIONAL,
    }
