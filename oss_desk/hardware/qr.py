"""QR codes as images: the printers' raster QR and the messages' PNG, drawn alike.

qrcode (and Pillow, which draws its images) load when a code is first drawn, not with this
module.
"""

from __future__ import annotations

import functools
import io
from typing import Any


def qr_image(payload: str, module: int) -> Any:
    """The QR as a black-and-white image, ``module`` pixels a module, with the standard
    4-module quiet zone all round (python-escpos's own raster QR has a 1-module border: too
    little for phone cameras) and error correction M."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(box_size=module, border=4, error_correction=ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    return code.make_image().get_image().convert("1")


@functools.lru_cache(maxsize=256)
def qr_png(payload: str, module: int = 8) -> bytes:
    """The QR as a PNG file's bytes (an email's inline image): 232 pixels square for a
    booking's code (29 modules), sharp on a phone's screen for a desk's scanner. Kept for the
    next message of the same booking (a confirmation, then its reminder: the demo's build
    sends hundreds; each code took about 3 ms to draw)."""
    buffer = io.BytesIO()
    qr_image(payload, module).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
