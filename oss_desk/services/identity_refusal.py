"""Who a login is on the staff list, and the words of a refusal when it names someone else:
one lookup for who acts (:func:`oss_desk.services.session.resolve_identity`) and for what the
refusal advises, so that the advice always names the entry that was matched."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oss_desk.domain.text import shown

if TYPE_CHECKING:
    from oss_desk.config import Settings, StaffConfig


RECORDED = "; the refusal is recorded"
NOT_KEPT = "; the refusal could not be recorded (the database cannot be read)"


def not_kept(text: str) -> str:
    """A refusal's words when what it was recorded in is thrown away: ``db restore`` over a
    database that cannot be read checks the person by the backup's copy, which it then
    deletes (review33: it said "the refusal is recorded")."""
    return text.replace(RECORDED, NOT_KEPT)


def login_entry(settings: Settings, account: str) -> StaffConfig | None:
    """The staff member a login is: the entry whose ``login``, or else whose id, is the account
    (the first such in the list)."""
    return next((p for p in settings.staff if account in (p.login, p.id)), None)


def refusal_text(
    settings: Settings, account: str, refused: str | None, recorded: bool | None = None
) -> str:
    """The refusal, with advice that works: a login already on the staff list is told to give
    its own entry the admin's role (a second entry with the same login is refused by init)."""
    outcome = {
        True: RECORDED,
        False: "; the refusal could not be recorded (see the log)",
        None: "",
    }[recorded]
    login = shown(account)
    listed = login_entry(settings, account)
    if listed is not None:
        who = f"{shown(listed.id)} ({shown(listed.name)})"
        advice = f'give {who} role = "admin" in the configuration'
    else:
        advice = (
            f'add a [[staff]] entry with login = "{login}" and role = "admin" to the configuration'
        )
    return (
        f"the login {login!r} may not act as {shown(refused or '')!r}: only an admin's "
        f"login may name someone else (access.user_override); for scripts run from this login, "
        f"{advice} and run `oss-desk init --config FILE`{outcome}"
    )
