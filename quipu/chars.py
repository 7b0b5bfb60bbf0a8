"""Which characters content may hold: one rule for every text field, key and body.

Text goes into HTML, JSON, CSV and an Atom feed (XML 1.0 cannot hold most control
characters), and people read it in editors and browsers. So some characters are refused
wherever they come from (typed, pasted, or written as a YAML escape such as "\\0" or
"\\x0b"), chosen by Unicode category rather than listed one by one:

- control characters (Cc), except tab and line feed;
- the line and paragraph separators (Zl, Zp), which YAML and JavaScript take as line ends
  but editors and grep do not;
- surrogates (Cs) and noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF, ...): not characters,
  and not allowed in XML;
- private-use characters (Co), which each font shows differently (often left by copying
  from a PDF);
- the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
  which make text display in another order than it is stored;
- tag characters (U+E0000-U+E007F), invisible letters that can hide text.

Other format characters (Cf) stay allowed inside text, because real text uses them: the
soft hyphen, zero-width joiner and non-joiner, word joiner, left-to-right and
right-to-left marks. A value made only of them is refused as empty (`is_invisible`).
Unassigned code points are not refused: which ones are unassigned changes with each
Unicode version, and `check` must say the same on every machine.

The ranges below are those categories' fixed extent (Unicode never changes Cc, Cs, Co or
the noncharacters); a test compares them with unicodedata over every code point.
"""

from __future__ import annotations

import re
import unicodedata

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_REFUSED = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # Cc, less tab and line feed
    "\u2028\u2029"  # Zl, Zp
    "\ud800-\udfff"  # Cs
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"  # Co
    "\u202a-\u202e\u2066-\u2069"  # bidirectional embeddings, overrides and isolates
    "\U000e0000-\U000e007f"  # tags
    f"{_NONCHARACTERS}"
    "]"
)
_KEY_REFUSED = re.compile(f"[\t\n]|{_REFUSED.pattern}")
# A value made only of these shows nothing: spaces, format characters, and marks with nothing to sit on.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})


def first_refused(text: str, key: bool = False) -> int | None:
    """Index of the first character that text may not hold (keys may not hold tabs or line breaks either)."""
    # Quick for the usual text, which is printable once its line breaks are set aside: every refused character is not.
    if text.isprintable() or (not key and text.replace("\n", "").replace("\t", "").isprintable()):
        return None
    pattern = _KEY_REFUSED if key else _REFUSED
    refused = [ch for ch in set(text) if pattern.match(ch)]
    return min(text.index(ch) for ch in refused) if refused else None


def code_point(ch: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE': how messages name a character that may not show."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def refusal(ch: str, key: bool = False) -> tuple[str, str]:
    """(what the character is, how to fix it), for a message: '<field> holds <what> at column N; <fix>'."""
    code = ord(ch)
    category = unicodedata.category(ch)
    if category == "Cc":
        fix = (
            "a key is a plain field name"
            if key
            else "text may hold tabs and line breaks but no other control characters"
        )
        return f"a control character (U+{code:04X})", f"remove it: {fix}"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return (
            f"the bidirectional control {code_point(ch)}",
            "remove it: it makes the text display in another order than it is written",
        )
    if category in ("Zl", "Zp"):
        return code_point(ch), "use an ordinary line break instead"
    if category == "Co":
        return (
            f"the private-use character U+{code:04X}",
            "write the character meant: fonts show private-use characters differently "
            "(they are often left by copying from a PDF)",
        )
    if 0xE0000 <= code <= 0xE007F:
        return f"the invisible tag character {code_point(ch)}", "remove it: it hides text from readers"
    return f"U+{code:04X}, which is not a character,", "remove it"


def is_invisible(text: str) -> bool:
    """True when the text shows nothing: only spaces, format characters (U+200B, U+FEFF, U+00AD...) or lone marks."""
    if text[:1].isalnum():  # the common case, decided by the first character (called for every value)
        return False
    return all(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text)


def invisible_list(text: str, limit: int = 3) -> str:
    """The distinct invisible characters of a text, named: 'U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER'."""
    seen = list(dict.fromkeys(ch for ch in text if ch not in " \t\n"))
    named = ", ".join(code_point(ch) for ch in seen[:limit])
    return named + (f" and {len(seen) - limit} more" if len(seen) > limit else "")
