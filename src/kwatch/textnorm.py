"""How kwatch folds the many ways people type a title into comparable keys."""

from __future__ import annotations

import re
import unicodedata

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# The 19 initial consonants in Unicode syllable order: syllable index // 588 picks one.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_COMPAT_CONSONANTS = set("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")


# \w is str.isalnum() plus "_": removing [\W_] keeps exactly the letters and digits.
_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_ASCII_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())


def name_key(text: str) -> str:
    """Case-, width-, spacing- and punctuation-blind key: "Han Gong-ju" -> "hangongju"."""
    # [\W_] is exactly "not str.isalnum()" (re's \w is isalnum plus "_"), at C speed: imports
    # fold tens of thousands of names. NFKC changes no ASCII text, and casefold is lower there.
    if text.isascii():
        # bytes.translate drops the ASCII non-alphanumerics three times faster than the regex.
        return text.encode().translate(None, _ASCII_NOT_ALNUM).lower().decode()
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def slugify(text: str) -> str:
    """ASCII slug for ids: "I'm a Cyborg, But That's OK" -> "im-a-cyborg-but-thats-ok"."""
    if text.isascii():
        # NFKD and the ASCII round trip change no ASCII text; a layer slugs 20,000 titles.
        ascii_text = text.lower().replace("'", "")
    else:
        ascii_text = (
            unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
        )
        ascii_text = ascii_text.replace("'", "").replace("\u2019", "")
    return _NOT_SLUG.sub("-", ascii_text).strip("-")


def is_hangul_syllable(ch: str) -> bool:
    return _HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST


def hangul_initials(text: str) -> str:
    """ "한공주" -> "ㅎㄱㅈ": the initial-consonant search Korean keyboards offer."""
    out = []
    for ch in text:
        if is_hangul_syllable(ch):
            out.append(_INITIALS[(ord(ch) - _HANGUL_FIRST) // 588])
        elif ch.isalnum():
            out.append(ch)
    return "".join(out)


def is_initials_query(text: str) -> bool:
    """True for a query made only of bare consonants such as "ㅎㄱㅈ"."""
    letters = [ch for ch in text if not ch.isspace()]
    return bool(letters) and all(ch in _COMPAT_CONSONANTS for ch in letters)


_HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    # is_hangul_syllable for any character, at C speed (an index build asks for every title).
    return _HANGUL_SYLLABLE.search(text) is not None


def decompose_hangul(text: str) -> str:
    """Split syllables into jamo so a one-letter typo costs one edit, not a whole syllable."""
    return unicodedata.normalize("NFD", text)
