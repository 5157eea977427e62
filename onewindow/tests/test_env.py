"""Settings helpers refuse a malformed value instead of guessing."""

import pytest

from onewindow.env import ConfigError, env_bool, env_int, env_list


def test_it_reads_typed_values(monkeypatch):
    monkeypatch.setenv("OW_FLAG", "yes")
    monkeypatch.setenv("OW_NUM", "12")
    monkeypatch.setenv("OW_LIST", "a, b,,c")
    assert env_bool("OW_FLAG", False) is True
    assert env_int("OW_NUM", 0) == 12
    assert env_list("OW_LIST", []) == ["a", "b", "c"]
    assert env_bool("OW_ABSENT", True) is True


@pytest.mark.parametrize(("reader", "value"), [(env_bool, "maybe"), (env_int, "twelve")])
def test_it_names_the_variable_of_a_malformed_value(monkeypatch, reader, value):
    monkeypatch.setenv("OW_BAD", value)
    with pytest.raises(ConfigError, match="OW_BAD"):
        reader("OW_BAD", 0)
