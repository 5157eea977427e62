"""The trading's statistics under /api/v1/trading/statistics (API.md)."""

from ninja import Router

router = Router(tags=["trading"])
