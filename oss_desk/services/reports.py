"""Daily figures against the council's standards (the reporting issue extends these)."""

from __future__ import annotations

from datetime import date
from typing import Any

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import hours_on, parse_date
from oss_desk.domain.models import Actor, DailyFigures, Outcome
from oss_desk.domain.stats import pct
from oss_desk.services.session import Session
from oss_desk.storage.reports import daily_counts


class ReportService:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    def daily(self, day: str | date | None = None, site_id: str | None = None) -> DailyFigures:
        """The day's figures for one site, or every site when there are several and none is
        named."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        site = None
        if site_id is not None or len(self.s.directory.sites) == 1:
            site = self.s.site(site_id)
        if day is None:
            when = self.s.today(site or next(iter(self.s.directory.sites.values())))
        elif isinstance(day, date):
            when = day.isoformat()
        else:
            when = parse_date(day, "--date").isoformat()
        target = self.s.settings.queue.target_minutes * 60
        with self.s.store.read() as conn:
            counts = daily_counts(conn, when, site.id if site else None, target)
        hours = self._opening_hours(when, site.id if site else None)
        by_hour = {f"{h:02d}": 0 for h in hours}
        for hour, count in counts.by_hour.items():
            by_hour[f"{hour:02d}"] = by_hour.get(f"{hour:02d}", 0) + count
        by_service = {code: 0 for code in sorted(self.s.directory.services)}
        for code, count in counts.by_service.items():
            by_service[code] = by_service.get(code, 0) + count
        return DailyFigures(
            date=when,
            site=site.id if site else None,
            visits=counts.arrivals,
            no_shows=counts.no_shows,
            within_15_min_pct=pct(counts.contacted_within, counts.contacted),
            first_contact_resolution_pct=pct(counts.finished_first_contact, counts.finished),
            by_hour=dict(sorted(by_hour.items())),
            by_service=dict(sorted(by_service.items())),
            served=counts.finished - counts.quick_visits,
            still_waiting=counts.still_waiting,
            quick_visits=counts.quick_visits,
            outcomes={o.value: counts.outcomes.get(o.value, 0) for o in Outcome},
            extra={
                "seen": counts.contacted,
                "seen_within_target": counts.contacted_within,
                "finished": counts.finished,
                "finished_first_contact": counts.finished_first_contact,
                "target_minutes": self.s.settings.queue.target_minutes,
            },
        )

    def _opening_hours(self, day: str, site_id: str | None) -> list[int]:
        when = date.fromisoformat(day)
        hours: set[int] = set()
        for site in self.s.settings.sites:
            if site_id is not None and site.id != site_id:
                continue
            opening = hours_on(site.opening_hours, when)
            if opening is None:
                continue
            last = opening.closes.hour - (1 if opening.closes.minute == 0 else 0)
            hours.update(range(opening.opens.hour, last + 1))
        return sorted(hours)


def daily_json(figures: DailyFigures) -> dict[str, Any]:
    return {
        "date": figures.date,
        "site": figures.site,
        "visits": figures.visits,
        "no_shows": figures.no_shows,
        "within_15_min_pct": figures.within_15_min_pct,
        "first_contact_resolution_pct": figures.first_contact_resolution_pct,
        "by_hour": figures.by_hour,
        "by_service": figures.by_service,
        "served": figures.served,
        "quick_visits": figures.quick_visits,
        "still_waiting": figures.still_waiting,
        "outcomes": figures.outcomes,
        **figures.extra,
    }


def daily_text(figures: DailyFigures, service_names: dict[str, str], site_name: str) -> str:
    def show(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f}%"

    target = figures.extra.get("target_minutes", 15)
    rows = [
        ("Visits (arrivals)", str(figures.visits), ""),
        ("Served at a desk", str(figures.served), ""),
        ("Dealt with at meet-and-greet", str(figures.quick_visits), ""),
        ("No-shows", str(figures.no_shows), ""),
        ("Still waiting", str(figures.still_waiting), ""),
        (f"Seen within {target} minutes", show(figures.within_15_min_pct), "target: over 80%"),
        ("Resolved at first contact", show(figures.first_contact_resolution_pct), "target: 80%"),
    ]
    lines = [f"Daily footfall summary: {site_name}, {figures.date}", ""]
    for label, value, note in rows:
        lines.append(f"  {label:<30}{value:>7}" + (f"   ({note})" if note else ""))
    lines += ["", "  Arrivals by hour"]
    peak = max(figures.by_hour.values(), default=0)
    for hour, count in figures.by_hour.items():
        bar = "#" * (round(30 * count / peak) if peak else 0)
        lines.append(f"    {hour}:00  {count:4d}  {bar}")
    lines += ["", "  Arrivals by service"]
    for code, count in figures.by_service.items():
        lines.append(f"    {code}  {service_names.get(code, code):28s} {count:4d}")
    lines += ["", "  Outcomes"]
    for outcome, count in figures.outcomes.items():
        lines.append(f"    {outcome:12s} {count:4d}")
    return "\n".join(lines)


def daily_csv(figures: DailyFigures) -> str:
    """The daily figures as CSV rows of (section, key, value): one file a spreadsheet opens."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "value"])
    data = daily_json(figures)
    for key, value in data.items():
        if isinstance(value, dict):
            for inner, count in value.items():
                writer.writerow([key, inner, count])
        else:
            writer.writerow(["summary", key, "" if value is None else value])
    return out.getvalue()
