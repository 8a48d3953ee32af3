"""Notes typed during review (verdicts, findings, gap explanations) follow the signed
report's rule for remarks: blank is empty unless a note is required, the text is kept
trimmed and in NFC with its line breaks, and control or format characters, lone
surrogates, private-use code points and text over 4,000 characters are refused naming the
note and the reason (pure: no database)."""

from __future__ import annotations

import unicodedata

import pytest

from proctor.errors import InvalidInput
from proctor.supervision.notes import clean_note


@pytest.mark.parametrize("blank", ["", "   ", "\n\t \n", "\u3000"])
def test_a_blank_note_is_empty_unless_one_is_required(blank: str) -> None:
    assert clean_note(blank, "verdict note", required=False) == ""
    with pytest.raises(InvalidInput, match="the finding must not be blank"):
        clean_note(blank, "finding", required=True)


def test_a_note_keeps_its_line_breaks_trimmed_and_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "  考生A1 离开座位\n回到座位：é  ")
    kept = clean_note(decomposed, "finding", required=True)
    assert kept == unicodedata.normalize("NFC", "考生A1 离开座位\n回到座位：é")
    assert "\n" in kept and not kept.startswith(" ")


@pytest.mark.parametrize("hostile", [
    "正常\u202e文字",  # a direction override: format character
    "响铃\x07",  # a control character
    "零宽\u200b空格",  # zero-width space: format
    "私用\ue000区",  # private use
    "代理\ud800对",  # a lone surrogate (invalid Unicode)
    "长" * 4001,
])
def test_text_a_report_cannot_carry_is_refused_naming_the_note(hostile: str) -> None:
    with pytest.raises(InvalidInput, match="^the gap explanation is refused: ") as refused:
        clean_note(hostile, "gap explanation", required=False)
    assert "Value error" not in str(refused.value)


def test_the_longest_note_is_accepted() -> None:
    assert len(clean_note("长" * 4000, "finding", required=True)) == 4000
