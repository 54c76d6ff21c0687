"""The reports as files and paper: each output format of ``report daily|monthly`` (text, JSON,
CSV, HTML, rendered by :mod:`oss_desk.render` with the names from the configuration), and the
daily summary queued for the receipt printer."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from oss_desk.domain.devices import parse_printer_url
from oss_desk.domain.models import EventKind
from oss_desk.domain.printouts import print_request
from oss_desk.domain.reports import (
    ALL_OFFICES,
    CommentLog,
    DailyReport,
    QuarterlyReport,
    RangeReport,
    Report,
    ReportNames,
    desk_named,
    site_named,
)
from oss_desk.domain.summary_paper import other_site_refused, prints_summary_of, summary_site
from oss_desk.domain.text import shown
from oss_desk.errors import NotFound, RuleViolation
from oss_desk.render.comments import comments_csv, comments_json, comments_text
from oss_desk.render.csv import figures_csv, report_csv
from oss_desk.render.followups import quarterly_text
from oss_desk.render.formats import period_words
from oss_desk.render.html import report_html
from oss_desk.render.json import as_json, dumps, quarterly_json
from oss_desk.render.receipt import daily_summary
from oss_desk.render.text import report_text as render_text
from oss_desk.services.device_owner import queue_print
from oss_desk.services.session import Session
from oss_desk.storage.events import append_event
from oss_desk.storage.site import desks_ever


def names_for(session: Session, report: Report, everywhere: str = ALL_OFFICES) -> ReportNames:
    """The council, the office (``everywhere`` for every office), services and desks, as
    configured (a desk that left the configuration: as the office's records last had it)."""
    directory = session.directory
    left = {site: known.name for site in report.sites_left if (known := session.site_known(site))}
    return ReportNames(
        council=session.settings.council.name,
        site_name=place_name(session, report.site, report.sites_left, everywhere),
        service_names={code: s.name for code, s in directory.services.items()},
        desk_names=report_desk_names(session, report.sites),
        site_names=left | {site_id: site.name for site_id, site in directory.sites.items()},
    )


def report_desk_names(session: Session, sites: Sequence[str] = ()) -> dict[str, str]:
    """The desks' names every report shows (the command line's and the desk app's, F6): as
    configured, and a desk that left the configuration as the office's records last had it;
    in a report over more than one of ``sites``, each with its site (:func:`desk_named`)."""
    desks = desks_ever(session.store.conn) | {
        desk_id: (d.name, d.site_id) for desk_id, d in session.directory.desks.items()
    }

    def site_name(site_id: str) -> str | None:
        if len(sites) < 2:
            return None
        known = session.site_known(site_id)
        return known.name if known is not None else site_id

    return {desk_id: desk_named(name, site_name(site)) for desk_id, (name, site) in desks.items()}


def place_name(
    session: Session, site: str | None, left: Mapping[str, str | None], everywhere: str
) -> str:
    """The name of a report's place: ``everywhere`` for every office; a site as named in the
    configuration or, one that left it, in the office's records, named as closed
    (:func:`site_named`)."""
    if site is None:
        return everywhere
    known = session.site_known(site)  # None: an office of another database (--include)
    return site_named(known.name if known else site, site, left)


def report_text(session: Session, report: Report) -> str:
    orgs = dict(session.settings.signposting.organisations)
    text = render_text(report, names_for(session, report, ALL_OFFICES.lower()), orgs)
    return text + "\n"


def report_page(session: Session, report: Report, record: QuarterlyReport | None = None) -> str:
    """The report as one self-contained HTML page (with the quarterly return ``record``, the
    same figures as under ``on_the_record`` in its JSON, as its last section)."""
    return report_html(
        report,
        names_for(session, report),
        organisations=dict(session.settings.signposting.organisations),
        record=quarterly_json(record)["on_the_record"] if record is not None else None,
    )


FORMATS: dict[str, Callable[[Session, Report], str]] = {
    "text": report_text,
    "json": lambda session, report: dumps(report) + "\n",  # one JSON value
    "csv": lambda session, report: report_csv(report),
    "html": report_page,
}
"""Output formats by name: each renders a report with the session's names. Add a format here
and both ``report`` commands offer it."""


def render_report(session: Session, report: Report, fmt: str) -> str:
    return FORMATS[fmt](session, report)


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
    session: Session, report: DailyReport, target: str, *, large_print: bool = False
) -> int:
    """Queue the daily summary for the receipt printer (the worker prints it). Returns the job.
    A printer of another site than the one the summary is for is refused (its paper goes
    there: :func:`~oss_desk.domain.summary_paper.summary_site`)."""
    printer, desk_id = summary_printer(session, target)
    _refuse_other_site(session, report, printer, desk_id)
    printout = daily_summary(report, names_for(session, report), large_print=large_print)
    now = session.clock.now()
    site = session.directory.sites.get(report.site or "")
    with session.store.write() as conn:
        job = queue_print(conn, session.store.path, print_request(printout, printer, desk_id), now)
        append_event(
            conn,
            at=now,
            timezone=site.timezone if site else None,
            site_id=site.id if site else None,
            kind=EventKind.REPORT_PRINTED,
            actor=session.actor,
            desk_id=desk_id,
            data={"report": "daily", "date": report.date, "job": job},
        )
    return job


def _refuse_other_site(
    session: Session, report: DailyReport, printer: str, desk_id: str | None
) -> None:
    """A desk of another site, or a printer only other sites' desks use, is refused."""
    desks = session.directory.desks
    own = desks.get(session.actor.desk_id or "")
    site = summary_site(desks.values(), report.site, own.site_id if own is not None else None)
    if site is None:
        return
    if desk_id is not None:
        users = [desks[desk_id]]
    else:
        users = [d for d in desks.values() if printer in (d.printer_url, d.fallback_printer_url)]
    if users and not any(prints_summary_of(d, site) for d in users):
        known = session.directory.sites.get(site)
        raise RuleViolation(other_site_refused(users[0], known.name if known else site))


def quarterly_output(
    session: Session, report: RangeReport, record: QuarterlyReport, fmt: str
) -> str:
    """``report quarterly``: the quarter's scorecard and, under ``on_the_record`` (JSON, CSV),
    after it (text) or as the page's last section (HTML), the quarterly return of comments,
    compliments and complaints."""
    if fmt == "html":
        return report_page(session, report, record)
    if fmt == "text":
        place = names_for(session, report, ALL_OFFICES.lower()).site_name
        return (
            render_report(session, report, fmt).rstrip("\n")
            + "\n\n"
            + quarterly_text(
                record,
                place,
                period_words(report.label, report.first_day, report.last_day, report.to_date),
            )
            + "\n"
        )
    figures = {
        **as_json(report),
        "quarter": report.key,
        "on_the_record": quarterly_json(record)["on_the_record"],
    }
    if fmt == "csv":
        return figures_csv(figures)
    return json.dumps(figures, ensure_ascii=False) + "\n"


COMMENT_FORMATS = ("text", "json", "csv")


def comments_output(session: Session, log: CommentLog, fmt: str) -> str:
    """The feedback log in ``fmt`` (:data:`COMMENT_FORMATS`), with the configuration's names."""
    if fmt == "json":
        return json.dumps(comments_json(log), ensure_ascii=False) + "\n"
    if fmt == "csv":
        return comments_csv(log)
    services = {code: s.name for code, s in session.directory.services.items()}
    place = place_name(session, log.site, log.sites_left, ALL_OFFICES.lower())
    return comments_text(log, place, services)
