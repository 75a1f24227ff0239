"""Article loading and sentence segmentation.

Sentences carry stable ids (S1..Sn) and character spans into `Article.text`, the decoded input
exactly as read (minus a BOM), so every citation maps back to the precise text it quotes.

One idea (~410 lines): from bytes to numbered sentences with exact spans (the segmenter and
the loading checks share the normalisation).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.errors import InputError

MAX_ARTICLE_BYTES = 20 * 1024 * 1024  # refuse beyond this: no news article is that long
MAX_SENTENCE_CHARS = 2000  # longer "sentences" (no punctuation) are cut into pieces this long

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Sentence:
    id: str  # "S1".."Sn", stable for a given text
    index: int  # 1-based
    text: str  # whitespace-normalised copy of Article.text[start:end]
    start: int
    end: int
    paragraph: int  # 0-based paragraph number


@dataclass
class Article:
    text: str
    sentences: list[Sentence]
    source: str = "-"
    by_id: dict[str, Sentence] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {s.id: s for s in self.sentences}

    def get(self, sid: str) -> Sentence | None:
        return self.by_id.get(sid)

    def numbered(self, ids: list[str] | None = None) -> str:
        """The article as `[S1] text` lines: the form every prompt shows the model."""
        chosen = self.sentences if ids is None else [self.by_id[i] for i in ids if i in self.by_id]
        return "\n".join(f"[{s.id}] {s.text}" for s in chosen)

    @property
    def title(self) -> str:
        return self.sentences[0].text if self.sentences else ""


def normalise_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


# ---------------------------------------------------------------- loading


def read_text(
    source: str | Path, stdin_bytes: bytes | None = None, what: str = "article"
) -> tuple[str, str]:
    """Read an article (or a draft: `what`) from a path or `-` (stdin). Returns (text, label).
    Raises InputError."""
    label = str(source)
    if label == "-":
        data = stdin_bytes if stdin_bytes is not None else sys.stdin.buffer.read()
        label = "<stdin>"
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"{label}: no such file")
        if path.is_dir():
            raise InputError(
                f"{label}: is a directory, not {'an' if what[0] in 'aeiou' else 'a'} {what} file"
            )
        try:
            size = path.stat().st_size
            if size > MAX_ARTICLE_BYTES:
                raise InputError(
                    f"{label}: {size:,} bytes is larger than the {MAX_ARTICLE_BYTES:,}-byte limit"
                )
            data = path.read_bytes()
        except PermissionError:
            raise InputError(f"{label}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None
    return decode_article_bytes(data, label, what), label


def decode_article_bytes(data: bytes, label: str = "article", what: str = "article") -> str:
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(f"{label}: larger than the {MAX_ARTICLE_BYTES:,}-byte limit")
    if not data.strip():
        raise InputError(f"{label}: the {what} is empty")
    if b"\x00" in data[:8192]:
        raise InputError(f"{label}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{label}: not UTF-8 text (bad byte at offset {exc.start}); "
            f"convert it first, e.g. `iconv -f latin1 -t utf-8 {label}`"
        ) from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 50):
        raise InputError(f"{label}: looks like a binary file, not text")
    if not text.strip():
        raise InputError(f"{label}: the {what} is empty")
    return text


def load_article(source: str | Path, stdin_bytes: bytes | None = None) -> Article:
    text, label = read_text(source, stdin_bytes)
    return parse_article(text, label)


def parse_article(text: str, source: str = "-") -> Article:
    body_end = boilerplate_start(text)
    sentences = [
        Sentence(id=f"S{i}", index=i, text=normalise_ws(text[a:b]), start=a, end=b, paragraph=p)
        for i, (a, b, p) in enumerate(segment(text, 0, body_end), start=1)
    ]
    if not sentences:
        raise InputError(f"{source}: no sentences found in the article")
    return Article(text=text, sentences=sentences, source=source)


# ---------------------------------------------------------------- boilerplate

_AGENCY_CAPS = (
    r"REUTERS|AFP|AP|BLOOMBERG|XINHUA|DPA|KYODO|YONHAP|BERNAMA|ANTARA"
    r"|NYTIMES|NEW\s+YORK\s+TIMES|WASHINGTON\s+POST"
)
_AFTER_TEXT = r"""(?:(?<=\n)|(?<=[.!?"'”’)\]]))"""  # at a line start or right after a sentence

# Wire credits and teasers that trail an article: "...got a win."REUTERS, "SEE OPINION",
# "- Reuters", "(Reporting by ...; Editing by ...)". Every alternative must reach the end.
_TRAILER = re.compile(
    rf"""(?:
        (?:^|{_AFTER_TEXT})[^\S\n]*
          (?:SEE\s+(?:OPINION|ALSO|MORE)|READ\s+(?:MORE|ALSO)|RELATED(?:\s+STORIES)?)\b[^\n]*$
      | {_AFTER_TEXT}\s*(?:{_AGENCY_CAPS})\s*$
      | (?:(?<=\n)|[^\S\n]*[-–—(])[^\S\n]*
          (?:Reuters|AFP|Associated\s+Press|Bloomberg)[^\S\n]*\)?\s*$
      | {_AFTER_TEXT}\s*\((?:Additional\s+)?(?:[Rr]eporting|[Ww]riting|[Ee]diting)
          \s+by\b[^\n]*\)\s*$
    )""",
    re.VERBOSE,
)


_TRAILER_WINDOW = 1000  # a trailer is a line or two: search only the end of the text


def boilerplate_start(text: str) -> int:
    """Index where trailing wire boilerplate begins (len(text.rstrip()) when there is none)."""
    end = len(text.rstrip())
    while True:
        m = _TRAILER.search(text, max(0, end - _TRAILER_WINDOW), end)
        if not m or m.start() >= end or m.end() < end:
            return end
        new_end = len(text[: m.start()].rstrip())
        if new_end == 0 or new_end >= end:
            return end
        end = new_end


# ---------------------------------------------------------------- segmentation
#
# Rule-based, one pass per paragraph. A candidate end is terminal punctuation (. ! ? … or a run
# such as "..." or "?!"), any closing quotes/brackets after it, then whitespace. Whether it ends
# the sentence depends on the word the period closes and on what follows:
#   - titles (Mr, Dr, Gen, ...) never end a sentence; neither do "e.g.", "i.e.", "vs.";
#   - "No.", "Vol.", "Fig." do not before a number ("No. 1");
#   - other abbreviations (Inc., Jan., Calif., etc.), dotted acronyms ("U.S.", "p.m.") and
#     initials ("Donald J. Trump") end a sentence only before a word that typically opens one
#     ("The", "He", "But", ...) or an opening quote: "the U.S. Senate" stays whole, "in the
#     U.S. The talks" splits;
#   - anything else ends a sentence before an upper-case letter, a digit, an opening quote or
#     bracket or a currency sign, never before a lower-case word ("6:45 p.m. at", '"Why?" he
#     asked');
#   - a quote closed by ? or ! and followed by a short attribution ('"Why?" Mr Trump asked.')
#     does not end the sentence;
#   - a dateline ("AUGUSTA, Me. — ") does not end a sentence, and a list number ("3. ") opens
#     the item that follows it rather than standing alone.
# A quotation of several sentences is split like any other text, including one closed by an
# attribution ('"A. B," added Dr Scissors.' gives '"A.' and 'B," added Dr Scissors.'). Keeping
# such a quotation whole was tried: it changed nothing on the MultiRC dev slice (which has no
# such quotation) but would merge 2-3% of the sentences of quote-heavy news, each a miss against
# gold sentences cut at every full stop, so the conventional cut stays.
# Decimals ("3.5"), amounts ("US$300", "S$408") and URLs never match: they have no space after
# the period. Paragraphs are separated by blank lines, and by single line breaks unless the
# block is hard-wrapped prose.

_TITLES = frozenset(
    """mr mrs ms mx messrs dr drs prof gen gens gov sen sens rep reps cong lt col capt cpt sgt
    maj adm cmdr cdr brig pfc spc amb rev hon pres supt insp det cpl pvt fr msgr atty sra srta
    mme mlle""".split()
)
_HONORIFICS = frozenset("mr mrs ms mx dr".split())
_NEVER_FINAL = frozenset("eg ie cf vs viz approx ca incl esp".split())
_BEFORE_NUMBER = frozenset("no nos vol vols fig figs pp op art ch sec para pt".split())
_ABBREVIATIONS = frozenset(
    """inc corp co ltd llc plc bros jr sr esq dept univ assn est etc al govt
    ave blvd rd st mt ft hwy sq
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo
    mont neb nev okla ore pa tenn tex va vt wash wis wyo""".split()
)
# Words that typically open a sentence; after an ambiguous abbreviation they signal a new one.
_STARTERS = frozenset(
    """the a an he she it they we i you his her its their our my your this that these those
    there here but and or so yet nor in on at for from by with as of to after before when while
    if although though since because meanwhile however still then now later earlier also both
    all some many most several no not one two three what who whom whose why how where which
    last next according under over during despite until unless instead other another each such
    only even just more few today tomorrow yesterday""".split()
)
_SPEECH_VERBS = (
    r"said|says|asked|asks|added|adds|told|tells|wrote|writes|replied|replies|explained"
    r"|insisted|noted|recalled|stated|tweeted|declared|shouted|yelled|wondered|joked"
    r"|continued|countered|argued|warned|cried|demanded|according"
)
# '"Why?" Mr Trump asked.' / '... Dr Derek Scissors asked reporters.': a name, a speech verb
# and at most three more words up to the full stop.
_ATTRIBUTION = re.compile(
    rf"(?:[A-Z][\w.'’-]*\s+){{1,4}}(?:{_SPEECH_VERBS})(?:\s+[\w'’-]+){{0,3}}[.!?]"
)

_CLOSERS = "\"'”’)]"
_OPENERS = "\"'“‘(["
# A run of terminal punctuation is matched from its first mark only, and possessively: a
# 2 MB line of dots would otherwise be rescanned from every position (quadratic, a hang).
_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s)")
_BLANK_LINE = re.compile(r"(?:\r\n?|\n)[^\S\r\n]*(?:\r\n?|\n)\s*")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_BULLET = re.compile(r"[-*•·–—]\s|\d{1,2}[.)]\s")
_LIST_NUMBER = re.compile(r"\s*\(?\d{1,3}[.)]\s*")
# "AUGUSTA, Me." / "ST. PAUL, Minn." before a dash or "(AP)": the paragraph opens with a dateline
_DATELINE_MAX = 80  # "ST. PAUL, Minn." and the like: a dateline is a few words
_DATELINE = re.compile(r"\s*[A-Z][A-Z.'’ /-]*[A-Z],(?:\s+[A-Z][A-Za-z]*\.?)+")


def segment(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """Split text[start:end] into sentences. Returns (start, end, paragraph) spans, trimmed."""
    end = len(text) if end is None else min(end, len(text))
    spans: list[tuple[int, int, int]] = []
    paragraph = 0
    pos = start
    for block_match in [*_BLANK_LINE.finditer(text, start, end), None]:
        block_end = block_match.start() if block_match else end
        for a, b in _split_lines(text, pos, block_end):
            if _segment_paragraph(text, a, b, paragraph, spans):
                paragraph += 1
        if block_match is None:
            break
        pos = block_match.end()
    return spans


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a block at single line breaks that separate paragraphs, not at wrapped lines."""
    breaks = list(_LINE_BREAK.finditer(text, start, end))
    if not breaks:
        return [(start, end)]
    lines: list[tuple[int, int]] = []
    pos = start
    for m in breaks:
        lines.append((pos, m.start()))
        pos = m.end()
    lines.append((pos, end))
    widths = [len(text[a:b].strip()) for a, b in lines]
    widest = max(widths)
    # Hard-wrapped prose has lines of 40 to 120 characters; a line that comes close to the
    # widest one was wrapped, a short one (a heading, a dateline, a list item) was ended.
    wrapped = 40 <= widest <= 120
    out: list[tuple[int, int]] = []
    para_start = start
    for i, m in enumerate(breaks):
        nxt = text[m.end() : lines[i + 1][1]].lstrip()
        prev = text[lines[i][0] : m.start()].rstrip()
        soft = (wrapped and widths[i] >= 0.6 * widest) or (
            bool(nxt) and (nxt[0].islower() or prev.endswith((",", ";")))
        )
        if _BULLET.match(nxt) or not soft:
            out.append((para_start, m.start()))
            para_start = m.end()
    out.append((para_start, end))
    return out


def _segment_paragraph(
    text: str, start: int, end: int, paragraph: int, out: list[tuple[int, int, int]]
) -> bool:
    before = len(out)
    sent_start = start
    for m in _END.finditer(text, start, end):
        cut = m.end()
        if not _is_boundary(text, m.start(), cut, start, end):
            continue
        if _LIST_NUMBER.fullmatch(text, sent_start, cut):
            continue  # "3." opens the list item after it
        _emit(text, sent_start, cut, paragraph, out)
        sent_start = cut
    _emit(text, sent_start, end, paragraph, out)
    return len(out) > before


def _emit(text: str, a: int, b: int, paragraph: int, out: list[tuple[int, int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    # Text with no sentence punctuation (a scraped page, a 2 MB line) is not one sentence: cut
    # it into pieces of at most MAX_SENTENCE_CHARS, at a clause or word break where there is one,
    # so every sentence fits a prompt budget and can be cited.
    while b - a > MAX_SENTENCE_CHARS:
        cut = _soft_cut(text, a, a + MAX_SENTENCE_CHARS)
        _emit(text, a, cut, paragraph, out)
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if b > a and any(ch.isalnum() for ch in text[a:b]):
        out.append((a, b, paragraph))


def _soft_cut(text: str, start: int, limit: int) -> int:
    """Where to cut text[start:limit]: after the last clause mark, else word break, in its
    second half; else at the limit."""
    half = start + (limit - start) // 2
    for marks in (";:", ",", " \t\n\r\u00a0\u3000"):
        at = max(text.rfind(ch, half, limit) for ch in marks)
        if at > half:
            return at + 1
    return limit


def _word_before(text: str, at: int) -> str:
    w = at
    while w > 0 and (text[w - 1].isalnum() or text[w - 1] in ".'’-"):
        w -= 1
    return text[w:at]


def _word_after(text: str, at: int, limit: int) -> str:
    while at < limit and text[at] in _OPENERS:
        at += 1
    w = at
    while w < limit and text[w].isalpha():
        w += 1
    return text[at:w]


def _is_boundary(text: str, punct_at: int, cut: int, para_start: int, limit: int) -> bool:
    """Decide whether the terminal punctuation text[punct_at:cut] ends a sentence."""
    nxt = cut
    while nxt < limit and text[nxt].isspace():
        nxt += 1
    if nxt >= limit:
        return True
    following = text[nxt]
    mark = text[punct_at:cut].rstrip(_CLOSERS)
    closed = cut - punct_at > len(mark)  # closing quotes/brackets after the punctuation
    nword = _word_after(text, nxt, limit)

    if mark in (".", "…") or mark.startswith(".."):
        ellipsis = mark != "."
        if ellipsis and (
            punct_at == 0 or text[punct_at - 1].isspace() or text[punct_at - 1] in _OPENERS
        ):
            # '"... we will' / 'said ... the': an omission, unless a sentence clearly starts
            return nword.lower() in _STARTERS and following.isupper()
        if not ellipsis and not closed:
            word = _word_before(text, punct_at)
            bare = word.replace(".", "").replace("'", "").replace("’", "")
            low = bare.lower()
            capital = bare[:1].isupper()
            if (low in _TITLES and capital) or low in _NEVER_FINAL:
                return False
            if low in _BEFORE_NUMBER and following.isdigit():
                return False
            initial = len(bare) == 1 and bare.isalpha()
            dotted = "." in word.strip(".") and all(
                0 < len(part) <= 3 for part in word.strip(".").split(".")
            )
            abbreviation = low in _ABBREVIATIONS and (capital or low in ("etc", "al"))
            if (
                following in "—–-("
                and cut - para_start <= _DATELINE_MAX  # bounded: no rescans of a long paragraph
                and _DATELINE.fullmatch(text, para_start, cut)
            ):
                return False
            if initial or dotted or abbreviation:
                return _opens_clearly(following, nword)
    elif closed and mark[-1:] in "?!" and _ATTRIBUTION.match(text, nxt, limit):
        return False  # '"Why?" Mr Trump asked.'
    return _opens(following, nword)


def _opens(following: str, nword: str) -> bool:
    """Does the text after a full stop look like the start of a sentence?"""
    if following.isupper() or following.isdigit() or following in "\"“‘'([$£€¥—-":
        return True
    # "eBay", "iPhone": a lower-case word with a capital inside
    return nword[:1].islower() and any(ch.isupper() for ch in nword[1:])


def _opens_clearly(following: str, nword: str) -> bool:
    """After an abbreviation: only a typical opening word or a quotation starts a sentence."""
    if following in '"“':
        return True
    # "... known as Patient A. Ms Hamilton said": a personal title opens a sentence too
    return nword[:1].isupper() and (nword.lower() in _STARTERS or nword.lower() in _HONORIFICS)
