"""What the council counts, asked where it happens: at finish, the outcome with "helped to use
the website" and "could have been done online" (one key each), where a signposted resident was
sent, and then the resident's own rating of the visit (one key: 1-5, or declined)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static

from oss_desk.domain.models import Outcome
from oss_desk.domain.phones import normalise_mobile
from oss_desk.domain.text import sentence_case
from oss_desk.domain.waits import turn_texts_offered
from oss_desk.domain.wording import rating_word
from oss_desk.errors import InvalidInput
from oss_desk.ui.dialogs import (
    Dialog,
    OutcomeDialog,
    PickDialog,
    TickBox,
    help_key,
    help_over,
    key_rows,
    keys_line,
)
from oss_desk.ui.faults import guarded

KEYS = "123456789abcdefghijklmnopqrstuvwxyz"
"""The keys that pick a signposting destination (in the configured order)."""


@dataclass(frozen=True, slots=True)
class Finish:
    """How a visit ended, with what the council counts beside the outcome."""

    outcome: Outcome
    assisted_digital: bool = False
    """Helped to use the council's website."""
    avoidable: bool = False
    """Could have been done online (avoidable contact)."""
    key: str = ""
    """The key typed for the finish's last answer (its outcome's, or the signposting's; "" when
    it was picked with arrows and Enter): the same key again at once is that key pressed twice,
    not the resident's rating."""


class FinishDialog(OutcomeDialog):
    """The outcome (1-5, or arrows and Enter), with W and O ticking the council's two flags
    first (each shown ticked or not by a mark, not colour alone). The flags are read from
    :attr:`flags` once it has given its outcome (:meth:`finish`)."""

    HELP = (
        "Finish the visit: the outcome's number gives it at once, or the arrows and Enter. "
        "Before it, W ticks (or unticks) that you helped the resident to use the council's "
        "website, and O that it could have been done online; a tick shows as [✓]. Esc goes "
        "back: nothing is finished."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "w",
            "tick('assisted_digital')",
            "Website",
            id="finish.assisted_digital",
            tooltip="Helped the resident to use the council's website (tick or untick)",
        ),
        Binding(
            "o",
            "tick('avoidable')",
            "Online",
            id="finish.avoidable",
            tooltip="It could have been done online: avoidable contact (tick or untick)",
        ),
    ]

    def __init__(self, code: str, service: str = "", *, appointments: bool = True) -> None:
        super().__init__(code, service, appointments=appointments)
        self.hint = f"{self.keys_hint} · W: website helped · O: could be online · Esc: back"
        self.flags = {"assisted_digital": False, "avoidable": False}

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        yield Static(self.flags_line(), id="finish-flags", classes="body")

    def flags_line(self) -> Text:
        def box(on: bool) -> str:
            return "[\u2713]" if on else "[ ]"

        return Text(
            f"{box(self.flags['assisted_digital'])} W: helped to use the council's website\n"
            f"{box(self.flags['avoidable'])} O: could have been done online"
        )

    @guarded
    def action_tick(self, flag: str) -> None:
        self.flags[flag] = not self.flags[flag]
        self.query_one("#finish-flags", Static).update(self.flags_line())

    def finish(self, outcome: Outcome) -> Finish:
        """The outcome given, with the flags as ticked and the key typed for it (if any)."""
        flags = self.flags
        return Finish(outcome, flags["assisted_digital"], flags["avoidable"], self.typed)


class SignpostDialog(PickDialog[str]):
    """Where a signposted resident was sent: one of the configured organisations (its key, or
    arrows and Enter)."""

    HELP = (
        "Where the signposted resident was sent: the organisation's key, or the arrows and "
        "Enter. Esc goes back, and nothing is finished."
    )

    LIST_ID = "organisations"
    hint = "Its key, or arrows and Enter · Esc: back, nothing finishes"

    def __init__(self, code: str, organisations: dict[str, str]) -> None:
        super().__init__(
            f"{code} signposted: to which organisation?",
            [(key, organisations[org], org) for key, org in zip(KEYS, organisations, strict=False)],
        )


RATING_GUARD_SECONDS = 0.6
"""The finish's last key (its outcomes are 1-5 too) again this soon after the prompt appears is
that key pressed twice, not the resident's answer: it is not taken, and said. Any other rating
key is the answer at once (typed straight after the outcome, in one burst: "f 1 4 n")."""


NOTICES = "#textual-toastrack"
"""Where Textual shows notifications on a screen."""


class RatingPrompt(Static, can_focus=True):
    """The resident's own rating of the visit just finished, asked on the desk's screen: one
    key (1-5, or D). It never holds the desk up: any other key takes it away (not asked) and
    does what it does on the desk (N calls the next resident), and so does looking elsewhere.
    A rating key in its first :data:`RATING_GUARD_SECONDS` is ignored (a double tap)."""

    DEFAULT_CSS = """
    RatingPrompt {
        height: auto;
        padding: 0 1;
        border: round $accent;
        background: $panel;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *[
            Binding(
                str(n),
                f"rate('{n}')",
                rating_word(n),
                id=f"rating.{word}",
                tooltip=f"The resident rates the visit just finished {n} out of 5",
            )
            for n, word in enumerate(("one", "two", "three", "four", "five"), start=1)
        ],
        Binding(
            "d",
            "rate('declined')",
            "Declined",
            id="rating.declined",
            tooltip="The resident would rather not rate the visit",
        ),
        Binding("escape", "rate('')", "Not asked", id="rating.skip", tooltip="Do not ask"),
        help_key("rating.help", "What the rating is, and its keys"),
    ]
    ANSWERS = frozenset({"1", "2", "3", "4", "5", "d", "escape", "f1"})
    """The keys that leave the question up (F1: its help over it, and back to it)."""
    HELP = (
        "The resident's own rating of the visit just finished, asked on the desk: turn the "
        f"screen to them or read it out. 1 ({rating_word(1).lower()}) to 5 "
        f"({rating_word(5).lower()}) records their answer, D that they would rather not say. "
        "Esc, or any other key, leaves it not asked, and the key does its own work on the desk "
        "(N calls the next resident)."
    )

    def __init__(self, code: str, answered: Callable[[str], None], echo: str = "") -> None:
        """``echo``: the key typed for the finish's last answer ("" when a form came last, or
        arrows and Enter gave it)."""
        super().__init__(
            keys_line(  # "F1: help" as every box says it: F1 shows the question's help
                Text.assemble(
                    (f"{code} finished. ", "bold"),
                    "The resident's own rating of this visit? "
                    f"1 ({rating_word(1).lower()}) to 5 ({rating_word(5).lower()}) · "
                    "D: would rather not say · any other key: not asked",
                )
            ),
            id="rating-prompt",
        )
        self.answered = answered
        self.echo = echo
        self.done = False
        self.shown_at = time.monotonic()
        self.asked_on: Screen[object] | None = None
        """The screen it is asked on (its notifications are moved above it meanwhile)."""

    @guarded
    def on_mount(self) -> None:
        self.shown_at = time.monotonic()
        self.focus()
        self.asked_on = self.screen
        self.asked_on.screen_layout_refresh_signal.subscribe(self, self._notices_above)

    @guarded
    def _notices_above(self, screen: Screen[object]) -> None:
        """Notifications (bottom right) stand above the prompt while it is asked, so that a
        notice (what finishing said, say) never hides the question (at 80x24 too)."""
        if self.region and not self.done:
            below = screen.size.height - self.region.y  # the prompt, the status line, the keys
            for rack in screen.query(NOTICES):
                if rack.styles.margin.bottom != below:
                    rack.styles.margin = (0, 0, below, 0)

    @guarded
    def on_unmount(self) -> None:
        for rack in self.asked_on.query(NOTICES) if self.asked_on else ():
            rack.styles.clear_rule("margin")  # back to the bottom corner

    @property
    def ready(self) -> bool:
        """Whether the finish's last key again now is an answer (not that key pressed twice)."""
        return time.monotonic() - self.shown_at >= RATING_GUARD_SECONDS

    @guarded
    def action_rate(self, rating: str) -> None:
        key = "d" if rating == "declined" else rating
        if key and key == self.echo and not self.ready:
            # A double tap of the finish's last key: not the resident's answer, and said (in a
            # burst, the next key would take the prompt away and the rating go unseen).
            self.app.notify(
                f"{key.upper()} came straight after the same key in the finish: not taken as "
                f"the rating (pressed twice?) · {key.upper()} again if the resident means it",
                markup=False,
                severity="warning",
                timeout=6,
            )
            self.echo = ""  # pressed again: the answer
            return
        self._close()
        if rating:
            self.answered(rating)

    @guarded
    def on_key(self, event: Key) -> None:
        self.key_seen(event.key)

    def key_seen(self, key: str) -> None:
        """Any key but an answer takes the prompt away; the key goes on to the desk's own keys
        (the app tells it of each key first: the adviser's keys are taken before the focus)."""
        if key not in self.ANSWERS:
            self._close()

    @guarded
    def action_help(self) -> None:
        """F1: the question's help over it; Esc or F1 comes back to it, still asked."""
        rows = key_rows(self.app, (b for b in self.BINDINGS if isinstance(b, Binding)))
        help_over(self.app, "the resident's rating", rows, self.HELP)

    @guarded
    def on_blur(self) -> None:
        if self.app.screen is self.screen:  # looked elsewhere (not its help over it)
            self._close()

    def _close(self) -> None:
        if not self.done:
            self.done = True
            self.call_after_refresh(self.remove)


@dataclass(frozen=True, slots=True)
class MobileChoice:
    """A resident's mobile number and what they agreed to be texted about."""

    number: str
    turn_texts: bool = True
    """A text when nearly their turn, and when called."""
    follow_up: bool = False
    """One text after the visit asking how we did (their consent, recorded as such)."""


class MobileDialog(Dialog[MobileChoice | None]):
    """Meet-and-greet's Ctrl+N: the mobile number, and two clear choices (Space ticks): texts
    while waiting (on), and "text me afterwards to ask how we did" (off unless they agree)."""

    HELP = (
        "A resident's mobile number for texts: type it, Tab goes to the choices, Space ticks. "
        "Texts while they wait are on unless they say no; one text afterwards asking how we did "
        "only if they agree. F9 (or Enter in the number) keeps it; a mistyped number is said in "
        "red and stays in the box to put right. Esc goes back and nothing is kept."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f9", "save", "Save", id="mobile.save", tooltip="Keep the number and the choices"),
    ]
    hint = "Tab: the choices · Space: tick · F9 (or Enter in the number): save · Esc: back"

    def __init__(
        self,
        code: str,
        *,
        follow_up_possible: bool = True,
        nearly_close: bool = False,
        when_called: bool = True,
    ) -> None:
        """``nearly_close``: the ticket is already near the front, so its "nearly your turn"
        text would be held back: the choice says so, in the words said once it is saved
        (``when_called``: the office texts a resident when called)."""
        super().__init__(f"Texts for {code}")
        self.follow_up_possible = follow_up_possible
        self.turn_texts, self.held_back = turn_texts_offered(nearly_close, when_called)

    FOLLOW_UP = "Text me afterwards to ask how we did"

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="Mobile number, e.g. 07700 900123", max_length=20, id="text")
        yield TickBox(sentence_case(self.turn_texts), True, id="turn-texts")
        if self.held_back is not None:
            yield Static(Text(sentence_case(self.held_back)), classes="hint", id="held-back")
        follow_up = self.FOLLOW_UP
        if not self.follow_up_possible:
            follow_up += " (not set up here)"
        yield TickBox(follow_up, False, id="follow-up", disabled=not self.follow_up_possible)
        yield Static(
            Text(
                "Turn texts' number: deleted at the end of the day. The follow-up text's: on "
                "the retention schedule."
            ),
            classes="hint",
        )
        yield Static(id="mobile-error")

    def choice(self) -> MobileChoice:
        return MobileChoice(
            self.query_one("#text", Input).value,
            turn_texts=self.query_one("#turn-texts", Checkbox).value,
            follow_up=self.query_one("#follow-up", Checkbox).value,
        )

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @guarded
    def action_save(self) -> None:
        """Keep the number and the choices; a number that is no UK mobile (the command line's
        own rule) is said on the box's error line, and the box stays open with it typed."""
        choice = self.choice()
        if choice.number.strip():
            try:
                normalise_mobile(choice.number)
            except InvalidInput as exc:
                self.query_one("#mobile-error", Static).update(Text(exc.message, style="bold red"))
                self.query_one("#text", Input).focus()
                return
        self.dismiss(choice)
