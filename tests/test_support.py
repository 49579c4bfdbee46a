"""The one rule for CI: where nothing may skip."""

from __future__ import annotations

import pytest
from support import in_ci, skip_or_fail


@pytest.mark.parametrize(
    ("value", "ci"),
    [("1", True), ("true", True), ("TRUE", True), ("yes", True), (" true ", True), ("0", False),
     ("false", False), ("", False), ("no", False)],
)  # fmt: skip
def test_ci_values(monkeypatch: pytest.MonkeyPatch, value: str, ci: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is ci
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="chromium is missing"):
        skip_or_fail("chromium is missing")


def test_no_ci_variable_means_a_laptop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not in_ci()
