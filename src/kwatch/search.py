"""Search: exact names first, then partial names, then people, themes and synopsis; typos last.

Everything runs in SQL (an index on folded name keys and an FTS5 table), so a query stays fast
with 100,000 titles. User text never reaches FTS5 raw: each token is quoted (see
shared/notes/performance-baseline.md for what raw MATCH does with "don't" or "NOT").
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from kwatch.errors import InvalidInput, NotFound
from kwatch.filters import Filters
from kwatch.models import Title
from kwatch.textnorm import (
    decompose_hangul,
    hangul_initials,
    has_hangul,
    is_hangul_syllable,
    is_initials_query,
    name_key,
)
from kwatch.titles import titles_by_ids

# Common Korean particles, longest first, so 복수는 / 서울에서 / 사랑을 also look for the bare word.
PARTICLES = sorted(
    [
        "은",
        "는",
        "이",
        "가",
        "을",
        "를",
        "의",
        "에",
        "에서",
        "에게",
        "께",
        "로",
        "으로",
        "와",
        "과",
        "도",
        "만",
        "까지",
        "부터",
        "보다",
        "처럼",
        "이나",
        "나",
        "이랑",
        "랑",
        "하고",
        "조차",
        "마저",
        "이다",
        "였다",
        "이었다",
    ],
    key=len,
    reverse=True,
)
RANK_EXACT, RANK_NAME, RANK_OTHER = 0, 1, 2
MATCH_LABELS = {RANK_EXACT: "title", RANK_NAME: "partial title", RANK_OTHER: "text"}


@dataclass(frozen=True)
class Hit:
    title: Title
    matched: str  # "title", "partial title", "text" or "suggestion"
    score: float

    def to_dict(self) -> dict:
        return {**self.title.to_dict(), "matched": self.matched}


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    suggestions: list[Title]


def _tokens(query: str) -> list[str]:
    # Split on anything that is not a letter or digit: quotes, dashes, *, (, : and SQL syntax
    # become separators, so no user text can change what the FTS query means.
    return [t for t in re.split(r"[^\w]+", query.casefold()) if t and t != "_"]


def _token_query(token: str) -> str:
    variants = [token]
    if has_hangul(token):
        for particle in PARTICLES:
            if token.endswith(particle) and len(token) > len(particle):
                variants.append(token[: -len(particle)])
                break
    quoted = ['"' + v.replace('"', '""') + '"*' for v in variants]
    return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"


def fts_query(query: str, column: str | None = None) -> str | None:
    tokens = _tokens(query)
    if not tokens:
        return None
    body = " AND ".join(_token_query(t) for t in tokens)
    return f"{{{column}}} : ({body})" if column else body


def _filtered(conn: sqlite3.Connection, ids: list[str], filters: Filters) -> list[str]:
    where, params = filters.where()
    if not ids or where == "1":
        return ids  # every indexed id has its title row; only filters can drop one
    kept: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        kept.update(
            r[0]
            for r in conn.execute(
                f"SELECT t.id FROM titles t WHERE t.id IN ({marks}) AND {where}",
                [*chunk, *params],
            )
        )
    return [i for i in ids if i in kept]


def _exact_ids(conn: sqlite3.Connection, query: str) -> list[str]:
    key = hangul_initials(query) if is_initials_query(query) else name_key(query)
    if not key:
        return []
    rows = conn.execute(
        "SELECT DISTINCT title_id FROM title_names WHERE key = ? OR title_id = ?",
        (key, query.strip()),
    )
    return [r[0] for r in rows]


def _prefix_ids(conn: sqlite3.Connection, query: str, limit: int) -> list[str]:
    """Titles whose folded name starts with the folded query ("hangong", "ㅎㄱ", "microhab")."""
    key = hangul_initials(query) if is_initials_query(query) else name_key(query)
    if len(key) < 2 and not has_hangul(key):
        return []
    rows = conn.execute(
        "SELECT DISTINCT title_id FROM title_names WHERE key >= ? AND key < ? LIMIT ?",
        (key, key + "\U0010ffff", limit),
    )
    return [r[0] for r in rows]


def _fts_ids(conn: sqlite3.Connection, match: str, limit: int) -> list[str]:
    rows = conn.execute(
        "SELECT title_id FROM titles_fts WHERE titles_fts MATCH ?"
        " ORDER BY bm25(titles_fts, 0, 10.0, 4.0, 2.0, 1.0) LIMIT ?",
        (match, limit),
    )
    return [r[0] for r in rows]


def search(
    conn: sqlite3.Connection, query: str, filters: Filters | None = None, limit: int | None = 20
) -> SearchResult:
    """Best matches first: exact title, then partial title, then people, themes, synopsis.
    `limit=None` returns every match."""
    if not query.strip():
        raise InvalidInput(
            "the search is empty; give a word to look for (or use `kwatch catalogue list`)."
        )
    filters = filters or Filters()
    # Over-fetch before filtering so filters do not starve the first page.
    pool = -1 if limit is None else max(limit * 10, 200)  # SQLite: LIMIT -1 is no limit
    ranked: dict[str, int] = {}
    for rank, ids in (
        (RANK_EXACT, _exact_ids(conn, query)),
        (RANK_NAME, _prefix_ids(conn, query, pool)),
    ):
        for title_id in ids:
            ranked.setdefault(title_id, rank)
    name_match = fts_query(query, "names")
    if name_match:
        for title_id in _fts_ids(conn, name_match, pool):
            ranked.setdefault(title_id, RANK_NAME)
    ids = _filtered(conn, list(ranked), filters)
    # People, themes and synopsis only when the names did not fill the page: ranking every
    # synopsis that mentions a common word is the slowest query here.
    if (limit is None or len(ids) < limit) and name_match:
        for title_id in _fts_ids(conn, fts_query(query) or "", pool):
            ranked.setdefault(title_id, RANK_OTHER)
        ids = _filtered(conn, list(ranked), filters)
    # Stable sort keeps FTS relevance order within a rank.
    ids.sort(key=lambda i: ranked[i])
    ids = ids[:limit]
    titles = titles_by_ids(conn, ids)
    hits = [Hit(titles[i], MATCH_LABELS[ranked[i]], float(ranked[i])) for i in ids]
    suggestions = [] if hits else suggest(conn, query, limit=3, filters=filters)
    return SearchResult(query=query, hits=hits, suggestions=suggestions)


def _comparable(text: str) -> str:
    return decompose_hangul(name_key(text))


def suggest(
    conn: sqlite3.Connection, query: str, limit: int = 3, filters: Filters | None = None
) -> list[Title]:
    """Titles whose names are close to a mistyped query ("Bleak Nigth", "Microhabitt").

    Most typos keep the first letter, so names sharing it are scored first; only when that
    finds too little is every name of a similar length scored.
    """
    key = name_key(query)
    target = _comparable(query)
    if len(target) < 2:
        return []
    ids = _close_names(conn, key, target, limit, same_first_letter=True)
    if len(ids) < limit:
        ids = list(dict.fromkeys(ids + _close_names(conn, key, target, limit, False)))
    if filters:
        ids = _filtered(conn, ids, filters)
    ids = ids[:limit]
    found = titles_by_ids(conn, ids)
    return [found[i] for i in ids if i in found]


def _close_names(
    conn: sqlite3.Connection, key: str, target: str, limit: int, same_first_letter: bool
) -> list[str]:
    from rapidfuzz import fuzz, process

    # A name a third longer or shorter cannot reach the score cutoff: leave it in SQL.
    slack = max(2, len(key) // 3)
    sql = (
        "SELECT title_id, key FROM title_names WHERE kind != 'initials'"
        " AND length(key) BETWEEN ? AND ?"
    )
    params: list[object] = [max(1, len(key) - slack), len(key) + slack]
    if same_first_letter:
        sql += " AND substr(key, 1, 1) = ?"
        params.append(key[:1])
    hangul_query = is_hangul_syllable(key[:1])
    keys: list[str] = []
    owners: list[str] = []
    for title_id, name in conn.execute(sql, params):
        if not name or is_hangul_syllable(name[0]) != hangul_query:
            continue
        # Hangul decomposed to jamo, so one wrong letter costs one edit, not a whole syllable.
        keys.append(decompose_hangul(name) if hangul_query else name)
        owners.append(title_id)
    matches = process.extract(target, keys, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=75)
    return list(dict.fromkeys(owners[index] for _, _, index in matches))


def require_hits(result: SearchResult) -> SearchResult:
    if result.hits or result.suggestions:
        return result
    raise NotFound(
        f"nothing matches {result.query!r}. Try fewer words, another spelling, or the Korean title."
    )
