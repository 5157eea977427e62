"""List answers of the API (API.md "Lists"): ?page=&page_size= (≤ 200) → {"count", "results"}."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

from onewindow.errors import DomainError

MAX_PAGE_SIZE = 200


class Paged(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从 1 开始")
        page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="每页条数（≤200）")

    class Output(Schema):
        count: int
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        count = (
            queryset.count()
            if hasattr(queryset, "count") and not isinstance(queryset, list)
            else len(queryset)
        )
        if offset and offset >= count:
            raise DomainError("request.page_out_of_range", f"第{pagination.page}页超出范围（共{count}条）。")
        return {"count": count, "results": list(queryset[offset : offset + pagination.page_size])}


class Answered:
    """A queryset whose rows are answered (`answer(row)`, e.g. an API's `out`) only for the page
    asked: Paged counts it and slices it, so a list never builds an answer for rows it does not show."""

    def __init__(self, rows, answer):
        self.rows, self.answer = rows, answer

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, part: slice) -> list[dict]:
        return [self.answer(row) for row in self.rows[part]]
