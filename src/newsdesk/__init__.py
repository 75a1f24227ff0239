"""newsdesk: answers for a news article, every line tied to the article's own sentences."""

__version__ = "0.1.0"
