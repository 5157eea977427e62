import pytest

from onewindow.personas import published_item


@pytest.fixture
def food(world):
    """食品经营许可 of department A: 1 申请书 (key), 2 营业执照 (shared), 3 管理制度 (tolerable)."""
    return published_item(world)
