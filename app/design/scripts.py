"""Which text Luneo can print, and the plain words for what it cannot.

The layout (``text_layout``) places one character after another, left to right, each from the
first font file that has it: right for Latin, Greek, Cyrillic and Vietnamese, which is what the
curated fonts hold (``fonts.py``). It does no bidirectional reordering and no shaping across
characters, and the fonts have no Arabic, Devanagari, CJK or emoji glyphs. So rather than print
letters in the wrong order, unjoined, or as empty boxes, such text is refused with a message
naming the script (in words a shopper reads on any store: no product names): by the storefront
(a 422 before saving), in preflight, and by the widget before it saves
(``storefront_widget/src/editor/scripts.js`` holds the same classes, by Unicode script property;
its English messages are these, ``tests/integration/widget/test_widget_scripts.py`` holds both).

Order of the checks: a script the layout cannot arrange (right-to-left, or shaped across
characters) is refused even where a font has its letters (Open Sans has Hebrew); then emoji and
CJK; then any other character the chosen font lacks, by name.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

from app.design.fonts import Face


@dataclass(frozen=True)
class Script:
    key: str  # what the widget and the tests call it
    message: str  # the reason, in the shopper's words


RIGHT_TO_LEFT = Script(
    "rtl",
    "Right-to-left text ({name}) can't be printed yet: its letters would come out in the wrong "
    "order. Please use Latin, Greek or Cyrillic letters.",
)
COMPLEX = Script(
    "complex",
    "{name} text can't be printed yet: its letters can't be joined correctly. Please use Latin, "
    "Greek or Cyrillic letters.",
)
CJK = Script(
    "cjk",
    "Chinese, Japanese and Korean characters can't be printed yet: none of the fonts has them. "
    "Please use Latin, Greek or Cyrillic letters.",
)
EMOJI = Script(
    "emoji",
    "Emoji can't be printed: none of the fonts has them. Please remove them.",
)

# (first, last, script, name): inclusive codepoint ranges, sorted by first.
_RANGES: tuple[tuple[int, int, Script, str], ...] = (
    (0x0590, 0x05FF, RIGHT_TO_LEFT, "Hebrew"),
    (0x0600, 0x06FF, RIGHT_TO_LEFT, "Arabic"),
    (0x0700, 0x074F, RIGHT_TO_LEFT, "Syriac"),
    (0x0750, 0x077F, RIGHT_TO_LEFT, "Arabic"),
    (0x0780, 0x07BF, RIGHT_TO_LEFT, "Thaana"),
    (0x07C0, 0x07FF, RIGHT_TO_LEFT, "N'Ko"),
    (0x0800, 0x08FF, RIGHT_TO_LEFT, "Arabic"),
    (0x0900, 0x097F, COMPLEX, "Devanagari"),
    (0x0980, 0x09FF, COMPLEX, "Bengali"),
    (0x0A00, 0x0A7F, COMPLEX, "Gurmukhi"),
    (0x0A80, 0x0AFF, COMPLEX, "Gujarati"),
    (0x0B00, 0x0B7F, COMPLEX, "Oriya"),
    (0x0B80, 0x0BFF, COMPLEX, "Tamil"),
    (0x0C00, 0x0C7F, COMPLEX, "Telugu"),
    (0x0C80, 0x0CFF, COMPLEX, "Kannada"),
    (0x0D00, 0x0D7F, COMPLEX, "Malayalam"),
    (0x0D80, 0x0DFF, COMPLEX, "Sinhala"),
    (0x0E00, 0x0E7F, COMPLEX, "Thai"),
    (0x0E80, 0x0EFF, COMPLEX, "Lao"),
    (0x0F00, 0x0FFF, COMPLEX, "Tibetan"),
    (0x1000, 0x109F, COMPLEX, "Myanmar"),
    (0x1100, 0x11FF, CJK, "Hangul"),
    (0x1780, 0x17FF, COMPLEX, "Khmer"),
    (0x200D, 0x200D, EMOJI, "emoji"),  # zero-width joiner: joins emoji sequences
    (0x2E80, 0x2FDF, CJK, "CJK"),
    (0x3000, 0x30FF, CJK, "CJK"),  # CJK punctuation, Hiragana, Katakana
    (0x3100, 0x31FF, CJK, "CJK"),  # Bopomofo, Hangul compatibility jamo, Katakana extensions
    (0x3200, 0x4DBF, CJK, "CJK"),
    (0x4E00, 0x9FFF, CJK, "CJK"),
    (0xA8E0, 0xA8FF, COMPLEX, "Devanagari"),
    (0xAC00, 0xD7AF, CJK, "Hangul"),
    (0xF900, 0xFAFF, CJK, "CJK"),
    (0xFB1D, 0xFB4F, RIGHT_TO_LEFT, "Hebrew"),
    (0xFB50, 0xFDFF, RIGHT_TO_LEFT, "Arabic"),
    (0xFE0F, 0xFE0F, EMOJI, "emoji"),  # variation selector 16: "show as emoji"
    (0xFE70, 0xFEFF, RIGHT_TO_LEFT, "Arabic"),
    (0x1F000, 0x1FAFF, EMOJI, "emoji"),  # pictographs, emoticons, flags, skin tones
    (0x20000, 0x3FFFF, CJK, "CJK"),
)
_FIRSTS = [r[0] for r in _RANGES]


def script_of(char: str) -> tuple[Script, str] | None:
    """The refused script a character belongs to, with the script's name; None otherwise."""
    code = ord(char)
    i = bisect.bisect_right(_FIRSTS, code) - 1
    if i >= 0 and _RANGES[i][0] <= code <= _RANGES[i][1]:
        return _RANGES[i][2], _RANGES[i][3]
    return None


def text_problem(text: str, face: Face) -> str | None:
    """Why ``text`` cannot be printed in ``face``, in plain words; None when it can."""
    found = [hit for char in text if (hit := script_of(char)) is not None]
    for script in (RIGHT_TO_LEFT, COMPLEX, CJK, EMOJI):
        names = [name for kind, name in found if kind is script]
        if names:
            return script.message.format(name=names[0])
    missing = [c for c in dict.fromkeys(text) if not _printable(c, face)]
    if missing:
        shown = ", ".join(_describe(c) for c in missing[:5])
        return (
            f"The font {face.family} has no {shown}: it would print as an empty box. "
            "Choose another font or remove it."
        )
    return None


def _printable(char: str, face: Face) -> bool:
    return char in "\n\r\t" or face.file_index(char) is not None


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"'{char}' ({name.lower()})" if name else f"U+{ord(char):04X}"
