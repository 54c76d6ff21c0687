"""The council theme and a high-contrast theme (one key away: Ctrl+T)."""

from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

STYLES = Path(__file__).parent / "styles"
"""The desk's style sheets: app.tcss (read at start) and one per screen, which the screen (and
the dialogs styled there) name in their ``CSS_PATH``, read when first shown."""

COUNCIL = Theme(
    name="council",
    primary="#2E7DAF",
    secondary="#5E9C76",
    accent="#E0A526",
    warning="#E0A526",
    error="#E0533D",
    success="#4CAF7A",
    foreground="#E6EDF3",
    background="#10161D",
    surface="#18212B",
    panel="#223040",
    dark=True,
)

HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    warning="#FFFF00",
    error="#FF6060",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    boost="#333333",
    dark=True,
)

THEMES = (COUNCIL, HIGH_CONTRAST)
