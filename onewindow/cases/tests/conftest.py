import pytest

from onewindow.personas import published_item


@pytest.fixture
def food(world):
    """食品经营许可 of department A: 1 申请书 (key), 2 营业执照 (shared), 3 管理制度 (tolerable)."""
    return published_item(world)


@pytest.fixture
def api(as_user):
    """api(user).post("/cases/…", {...}) with JSON bodies against /api/v1."""

    class Api:
        def __init__(self, user):
            self.client = as_user(user)

        def get(self, path, params=None):
            return self.client.get("/api/v1" + path, params or {})

        def post(self, path, body=None):
            return self.client.post("/api/v1" + path, body or {}, content_type="application/json")

    return Api
