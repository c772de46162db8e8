"""quotebot: interview transcripts as quotes, topics and trivia on Discord."""

__version__ = "0.1.0"
