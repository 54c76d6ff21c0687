"""Where a site's paper goes: a day's footfall summary prints on a receipt printer of the site it
is for (a review: at an office of several sites the leader's S listed every desk with a printer,
so a summary could come out of another building's printer). A summary of every site's day (an
office of several, on Reports), or one for a site with no receipt printer, is the paper of
the site printing it."""

from __future__ import annotations

from collections.abc import Iterable

from oss_desk.domain.models import Desk


def summary_site(
    desks: Iterable[Desk], report_site: str | None, own_site: str | None
) -> str | None:
    """The site whose printers a summary goes to: the site it is for, when it has a receipt
    printer; else (every site's day, or a site with no receipt printer) the site of the desk
    printing it; None when neither is known (no restriction then)."""
    if report_site is not None and any(prints_summary_of(d, report_site) for d in desks):
        return report_site
    return own_site or report_site


def prints_summary_of(desk: Desk, site: str | None) -> bool:
    """Whether ``desk``'s receipt printer may print a summary whose paper goes to ``site``."""
    return bool(desk.printer_url or desk.fallback_printer_url) and (
        site is None or desk.site_id == site
    )


def other_site_refused(desk: Desk, site_name: str) -> str:
    """Why a summary for the site called ``site_name`` is not printed at ``desk`` (another
    site's)."""
    return f"{desk.name} is at another site: a summary for {site_name} prints at {site_name}"
