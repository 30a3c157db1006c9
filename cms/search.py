"""Chinese (CJK) text for PostgreSQL full-text search: overlapping character bigrams.

PostgreSQL's parser sees a run of Han characters without spaces as one "word", so
``机器人维护保养`` is a single lexeme and a search for ``保养`` finds nothing. We index, beside
the ordinary fields, a text in which every run of CJK characters is replaced by its single
characters and overlapping bigrams (``机 器 人 ... 机器 器人 人维 维护 护保 保养``), and turn a
query the same way (``保养`` stays ``保养``; ``维护保养`` becomes ``维护 护保 保养``, all
required). This is the CJK bigram method of Lucene's CJKAnalyzer: no dictionary to maintain,
no false negatives for any word of two or more characters; the price is a few false positives
(two bigrams that occur apart), which ranking puts last.
"""

import re

# Han ideographs (incl. extension A and compatibility), kana and hangul syllables.
CJK_RUN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
)


def _grams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[index:index + 2] for index in range(len(run) - 1)]


def cjk_index_text(text: str) -> str:
    """The CJK runs of ``text`` as single characters and bigrams, space-separated (Latin
    words are left to the ordinary fields)."""
    terms: list[str] = []
    for run in CJK_RUN.findall(text or ""):
        terms.extend(run)  # single characters: a one-character query still finds the page
        if len(run) > 1:
            terms.extend(_grams(run))
    return " ".join(dict.fromkeys(terms))


def cjk_query(query: str) -> str:
    """A visitor's query with each CJK run replaced by its bigrams (Latin words kept)."""
    parts: list[str] = []
    position = 0
    for match in CJK_RUN.finditer(query or ""):
        parts.append(query[position:match.start()])
        parts.append(" " + " ".join(_grams(match.group())) + " ")
        position = match.end()
    parts.append((query or "")[position:])
    return " ".join("".join(parts).split())


def has_cjk(text: str) -> bool:
    return bool(CJK_RUN.search(text or ""))
