"""What a bilingual office's residents would read in English among the Welsh: each name, label,
address and checklist the office shows them that has no Welsh form in the configuration.

A bilingual office (``cy+en``, Welsh first) says oss-desk's own wording in Welsh, and the
council's names in Welsh only where the configuration gives them (``*_cy``); a name without one
is said in English in the Welsh lines, silently. ``init`` and ``doctor`` warn of each, naming
the setting that gives it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oss_desk.domain.queue import calls_tickets
from oss_desk.domain.wording import ENGLISH, languages_for

if TYPE_CHECKING:
    from oss_desk.config import Settings


def _bilingual(settings: Settings, site_id: str | None = None) -> bool:
    """Whether the office ``site_id`` (None: any office) is bilingual."""
    return any(
        "cy" in languages_for(site.language, site.nation)
        for site in settings.sites
        if site_id is None or site.id == site_id
    )


def _texts_alone(settings: Settings) -> list[str]:
    """The council's own texts it set in English with no Welsh beside them (a default one is
    oss-desk's, said in Welsh already)."""
    takes = any(service.appointment_minutes for service in settings.services)
    change = settings.appointments.change_line
    alone = {
        "board.message": settings.board.message != ENGLISH["board.take_ticket"]
        and not settings.board.message_cy,
        "screen.message": bool(settings.screen.message) and not settings.screen.message_cy,
        "appointments.change_line": takes
        and change != ENGLISH["message.change_line"]
        and not settings.appointments.change_line_cy,
        "email.replies": bool(settings.email.replies) and not settings.email.replies_cy,
    }
    return [setting for setting, said in alone.items() if said]


def welsh_gaps(settings: Settings) -> list[str]:
    """One line for each missing Welsh form residents of a bilingual office would meet: the
    council's name, an office's name and address, a service's label and what to bring, the
    name of a desk that calls residents, and a text the council set in English alone (the
    board's or the screen's message, the "to change or cancel" line, the line on replies).
    None in an office that is not bilingual."""
    if not _bilingual(settings):
        return []
    gaps: list[tuple[str, str, str]] = []  # (whose, setting, what residents read)
    if not settings.council.name_cy:
        gaps.append(("the council", "council.name_cy", "its name"))
    for site in settings.sites:
        if not _bilingual(settings, site.id):
            continue
        if not site.name_cy:
            gaps.append((f"site {site.id}", "name_cy", "its name"))
        if site.address and not site.address_cy:
            gaps.append((f"site {site.id}", "address_cy", "its address"))
    for service in settings.services:  # offered at every office
        if not service.label_cy:
            gaps.append((f"service {service.code}", "label_cy", "its label"))
        if service.checklist and not service.checklist_cy:
            gaps.append((f"service {service.code}", "checklist_cy", "what to bring"))
    for desk in settings.desks:
        if (
            calls_tickets(desk.kind)
            and not desk.name_cy
            and _bilingual(settings, settings.site_of(desk))
        ):
            gaps.append((f"desk {desk.id}", "name_cy", "its name"))
    gaps += [(setting, f"{setting}_cy", "it") for setting in _texts_alone(settings)]
    return [
        f"{whose} has no {setting}: residents of a bilingual office read {what} in English "
        "among the Welsh"
        for whose, setting, what in gaps
    ]
