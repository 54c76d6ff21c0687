"""The report figures as pages and paper: the HTML report, and the daily summary queued for the
receipt printer. The figures come from ``ReportService`` (plain dicts); this module adds the
names from the configuration and the print job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.devices import parse_printer_url
from oss_desk.domain.models import EventKind
from oss_desk.domain.printouts import daily_summary, to_payload
from oss_desk.domain.report_html import daily_html, monthly_html
from oss_desk.domain.text import shown
from oss_desk.errors import NotFound, RuleViolation
from oss_desk.services.session import Session
from oss_desk.storage.events import append_event
from oss_desk.storage.outbox import queue_print_job


@dataclass(frozen=True, slots=True)
class ReportNames:
    council: str
    site_name: str
    service_names: dict[str, str]
    desk_names: dict[str, str]


def names_for(session: Session, data: Mapping[str, Any]) -> ReportNames:
    """The council, the office (or "all sites"), services and desks, as configured."""
    directory = session.directory
    site = data.get("site")
    if site is None:
        site_name = "All offices"
    elif site in directory.sites:
        site_name = directory.sites[site].name
    else:
        site_name = str(site)  # an office of another database (--include)
    return ReportNames(
        council=session.settings.council.name,
        site_name=site_name,
        service_names={code: s.name for code, s in directory.services.items()},
        desk_names={desk_id: d.name for desk_id, d in directory.desks.items()},
    )


def _amber_points(session: Session) -> float:
    return float(session.settings.reports.amber_points)


def daily_page(session: Session, data: Mapping[str, Any]) -> str:
    names = names_for(session, data)
    return daily_html(
        data,
        council=names.council,
        site_name=names.site_name,
        service_names=names.service_names,
        desk_names=names.desk_names,
        amber_points=_amber_points(session),
    )


def monthly_page(session: Session, data: Mapping[str, Any]) -> str:
    names = names_for(session, data)
    return monthly_html(
        data,
        council=names.council,
        site_name=names.site_name,
        service_names=names.service_names,
        desk_names=names.desk_names,
        amber_points=_amber_points(session),
    )


def summary_printer(session: Session, target: str) -> tuple[str, str | None]:
    """``(printer URL, desk id)`` for ``target``: a desk's id (its printer) or a printer URL."""
    text = target.strip()
    if "://" in text:
        return parse_printer_url(text).url, None
    desk = session.directory.desks.get(text)
    if desk is None:
        known = ", ".join(sorted(session.directory.desks)) or "none"
        raise NotFound(
            f"{shown(text)!r} is neither a desk (desks: {known}) nor a printer URL "
            "(e.g. tcp://10.0.0.5:9100)"
        )
    url = desk.printer_url or desk.fallback_printer_url
    if url is None:
        raise RuleViolation(f"desk {desk.id} has no printer: give a printer URL instead")
    return url, desk.id


def print_daily_summary(
    session: Session, data: Mapping[str, Any], target: str, *, large_print: bool = False
) -> int:
    """Queue the daily summary for the receipt printer (the worker prints it). Returns the job."""
    printer, desk_id = summary_printer(session, target)
    names = names_for(session, data)
    printout = daily_summary(
        data,
        council=names.council,
        site_name=names.site_name,
        service_names=names.service_names,
        large_print=large_print,
    )
    now = session.clock.now()
    site = session.directory.sites.get(str(data.get("site") or ""))
    with session.store.write() as conn:
        job = queue_print_job(
            conn,
            kind="daily_summary",
            printer_url=printer,
            created_at=format_instant(now),
            desk_id=desk_id,
            payload=to_payload(printout),
        )
        append_event(
            conn,
            at=now,
            timezone=site.timezone if site else None,
            site_id=site.id if site else None,
            kind=EventKind.REPORT_PRINTED,
            actor=session.actor,
            desk_id=desk_id,
            data={"report": "daily", "date": data.get("date"), "job": job},
        )
    return job
