"""How a size on disk is said to staff: in GiB from 1 GiB, in MiB below it, in KiB below that
("only 7.5 MiB free", never "only 0.0 GiB free")."""

from __future__ import annotations

GIB = 1 << 30
MIB = 1 << 20


def size_said(n: int) -> str:
    """``n`` bytes: "2.5 GiB", "7.5 MiB", "12 KiB"."""
    if n >= GIB:
        return f"{n / GIB:.1f} GiB"
    if n >= MIB:
        return f"{n / MIB:.1f} MiB"
    return f"{n / 1024:.0f} KiB"


__all__ = ["GIB", "MIB", "size_said"]
