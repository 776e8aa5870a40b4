"""Reading printed letters back: the PDF's text (pypdf) and its QR codes (zxing-cpp)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import zxingcpp
from PIL import Image

ACTIVATION_LINK = re.compile(r"https?://\S+/accounts/activate/[\w-]+/")


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, its line breaks and spaces made single spaces."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def qr_codes(path: Path) -> list[str]:
    """What every QR code image in the PDF decodes to, in the order the PDF stores them.

    The code is one pixel a module: enlarged without smoothing before decoding, as a phone's
    camera sees it printed four centimetres wide.
    """
    found: list[str] = []
    seen: set[bytes] = set()
    for page in pypdf.PdfReader(path).pages:
        for image in page.images:
            if image.data in seen:
                continue
            seen.add(image.data)
            picture = Image.open(io.BytesIO(image.data)).convert("L")
            picture = picture.resize(
                (picture.width * 8, picture.height * 8), Image.Resampling.NEAREST
            )
            found.extend(result.text for result in zxingcpp.read_barcodes(picture))
    return found
