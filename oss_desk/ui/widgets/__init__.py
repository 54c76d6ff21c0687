"""Widgets the screens share: bars, the key bar, the queue table, the big ticket code."""
