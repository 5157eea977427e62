"""The trading's API under /api/v1/trading/ (API.md)."""

from ninja import Router

router = Router(tags=["trading"])
