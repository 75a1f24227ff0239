"""Articles the desk has read, parsed once and kept in a bounded LRU by their text's hash.

The model's reading of each article (its KV state) is kept by the embedded server's slots and,
when another article takes them, by the saved states of llm/kvstate.py on disk (their own
size bound, least recently used first): a return to an article restores it, not re-reads it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from newsdesk.article import Article, decode_article_bytes, parse_article
from newsdesk.history import article_key

DEFAULT_SIZE = 32


class Articles:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Article] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, label: str = "article") -> Article:
        """The parsed article (InputError for text the CLI would refuse too)."""
        key = article_key(text)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        # the CLI's own checks: empty, binary, over the size limit
        decode_article_bytes(text.encode("utf-8"), label)
        article = parse_article(text, label)
        with self._lock:
            self._items[key] = article
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return article

    def __len__(self) -> int:
        return len(self._items)
