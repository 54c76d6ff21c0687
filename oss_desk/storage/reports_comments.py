"""Residents' comments with their ratings (``rating_comments``, schema/0018), for the feedback
log (``report comments``): the text is None once the retention purge deleted it."""

from __future__ import annotations

import sqlite3
from typing import Any

_COMMENTS = """
SELECT r.business_day, r.site_id,
  (SELECT service_code FROM events WHERE visit_id = r.visit_id AND kind = 'finished'
   ORDER BY id LIMIT 1),
  r.rating, c.text
FROM visit_ratings r JOIN rating_comments c USING (visit_id)
WHERE r.business_day BETWEEN :first AND :last AND (:site IS NULL OR r.site_id = :site)
ORDER BY r.business_day, r.given_at, r.visit_id
"""


def resident_comments(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> list[tuple[Any, ...]]:
    """(day, site, service, rating, text or None once purged) of the comments given with a
    rating from ``first_day`` to ``last_day``, oldest first."""
    args = {"first": first_day, "last": last_day, "site": site_id}
    return conn.execute(_COMMENTS, args).fetchall()
