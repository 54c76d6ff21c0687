"""Who is asked "Reprint it?" about a print job that may not have printed, or failed.

The question is asked of someone who can see the paper: the person at the desk whose printer it
is. Another desk is never asked about it (it cannot see whether the paper came out, and the
question would take its keys), with two exceptions for the team leader, who sees to the office's
printing: a job that is not a ticket (an appointment slip, a daily summary: nobody else is asked
about those), and a job at a desk whose person may not reprint (an adviser's desk)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Asker:
    """The terminal that would be asked, as the rule needs it."""

    own_desk: str | None
    """The desk this terminal is (a terminal started at no desk is the meet-and-greet desk)."""
    may_reprint: bool
    """Its person may reprint (at the job's desk)."""
    leader: bool
    """Its person sees to the office's printing (the team leader)."""


def asked_here(
    asker: Asker, job_desk: str | None, job_kind: str, *, desk_may_reprint: bool | None
) -> bool:
    """Whether ``asker`` is asked about a job of ``job_kind`` queued for ``job_desk`` (None:
    sent to a printer by its address).
    ``desk_may_reprint``: whether the person logged in at ``job_desk`` may reprint (None:
    nobody is logged in there; the next person to open that desk is asked)."""
    if not asker.may_reprint:
        return False
    if job_desk is not None and job_desk == asker.own_desk:
        return True
    if job_kind != "ticket":  # a slip, a summary (one sent to a printer by its address too)
        return asker.leader
    return asker.leader and job_desk is not None and desk_may_reprint is False


SAME_PAPER: dict[str, tuple[str, ...]] = {
    "appointment_slip": ("reference",),
    "referral_slip": ("reference",),
    "daily_summary": ("site", "date"),
}
"""What makes two jobs of no ticket the same paper, by kind: the payload fields they share. A
later job of the same paper (a slip printed again, the day's summary sent again) supersedes an
earlier one, as a ticket's later copy does: nobody is asked about the earlier one any more. A
kind not here (a printer's test page) is never superseded."""


def answer_said(status: str, who: str, at: str, *, printer_removed: bool = False) -> str:
    """What ``ticket show`` says of its latest print job's question once answered (``status``:
    the job's, ``who`` answered, ``at``: when): the answer and its person, never hidden. A job
    whose printer left the configuration was settled by the load, asked of nobody:
    ``printer_removed`` says so, never that someone said it printed."""
    if printer_removed:
        return f"set aside as its printer was removed, by {who}, {at}"
    if status == "uncertain":
        return f"{who} said it printed, {at}"
    return f"{who} said not to print it again, {at}"


def printed_again_said(who: str, at: str, job: int, state: str) -> str:
    """What ``appointment show`` says of each time a booking's slip was asked to print again
    (``appointment slip``, or ``y`` to a desk's "Reprint it?"): by whom, when, its print job
    and that job's own state (``state``, in the desks' words): asking is not printing (a
    review: "slip printed again by ..." was said of a job that never printed)."""
    return f"slip asked to print again by {who}, {at} (print job {job}): {state}"


TEAM_LEADER_ASKED = "the team leader is asked whether to reprint"
DESK_ASKED = "asked at the desk that printed it"


def asked_instead(job_kind: str, *, desk_may_reprint: bool | None) -> str:
    """Who is asked about a job a terminal is not asked about (:func:`asked_here` said no), in
    the words its status line says it with: the team leader, for a paper that is not a ticket
    and for a ticket at a desk whose person may not reprint (an adviser's); else the desk that
    printed it (its person, or the next person to open it)."""
    if job_kind != "ticket" or desk_may_reprint is False:
        return TEAM_LEADER_ASKED
    return DESK_ASKED


def asked_elsewhere_words(forms: tuple[str, str, str], asked: str) -> tuple[str, str, str]:
    """The status line's forms (longest first) of jobs this terminal is not asked about, with
    who is (:func:`asked_instead`), so that nobody is left with a bare count and no question:
    "2 not printed: the team leader is asked whether to reprint", "2 not printed, team leader
    asked", "2 for team leader"; "ticket C004 not printed: asked at the desk that printed it",
    "1 not printed, asked at its desk", "1 for its desk"."""
    full, short, least = forms
    if asked == TEAM_LEADER_ASKED:
        return f"{full}: {asked}", f"{short}, team leader asked", f"{least} for team leader"
    return f"{full}: {asked}", f"{short}, asked at its desk", f"{least} for its desk"
