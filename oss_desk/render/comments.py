"""The council's feedback log (``report comments``): what residents wrote with their ratings,
as text, JSON and CSV. A comment the retention purge deleted says so
(:data:`~oss_desk.domain.reports.DELETED_ON_RETENTION`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from oss_desk.domain.reports import CommentLog
from oss_desk.domain.text import printable
from oss_desk.domain.wording import rating_word
from oss_desk.render.csv import csv_cell
from oss_desk.render.formats import long_month


def _rating(rating: int | None) -> str:
    return "declined" if rating is None else f"{rating} ({rating_word(rating)})"


def comments_text(log: CommentLog, site_name: str, service_names: Mapping[str, str]) -> str:
    """One comment a paragraph: its day, service and rating, then the resident's words."""
    lines = [
        f"Residents' comments: {site_name}, {long_month(log.month)}",
        "What residents wrote with their rating of a visit (the counter's feedback page or a "
        "text), oldest first; each is deleted retention.comments_days after it was written.",
        "",
    ]
    if not log.comments:
        lines.append("  No comments were given in this month.")
    several = len(log.sites) > 1
    for c in log.comments:
        service = service_names.get(c.service or "", c.service or "no service")
        where = f"  {c.site}" if several else ""
        lines.append(f"  {c.day}{where}  {service}  rated {_rating(c.rating)}")
        lines.append(f"    {printable(c.text_shown)}")
    return "\n".join(lines) + "\n"


def comments_json(log: CommentLog) -> dict[str, Any]:
    return {
        "month": log.month,
        "site": log.site,
        "sites": list(log.sites),
        "sites_left": dict(log.sites_left),
        "comments": [
            {
                "day": c.day,
                "site": c.site,
                "service": c.service,
                "rating": c.rating,
                "text": c.text,
                "deleted": c.text is None,
            }
            for c in log.comments
        ],
    }


def comments_csv(log: CommentLog) -> str:
    """One row a comment: day, site, service, rating, text (or why there is none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "site", "service", "rating", "text"])
    for c in log.comments:
        rating = "" if c.rating is None else c.rating
        writer.writerow([c.day, c.site, c.service or "", rating, csv_cell(c.text_shown)])
    return out.getvalue()
