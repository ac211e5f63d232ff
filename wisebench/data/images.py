"""Opening untrusted image files: a pixel limit against decompression bombs, every decoder failure a named
BadSampleError, and the real format sniffed from the bytes (a PNG renamed .jpg loads, and is noted).

The limit is WISEBENCH_MAX_IMAGE_PIXELS (width x height; default 178,956,970, the count at which Pillow itself
refuses an image). It is checked from the header, before any pixel is decoded. A 12000 x 12000 image (144 M pixels)
is under it; docs/robustness.md says what memory such an image needs.
"""

from __future__ import annotations

import io
import os
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from wisebench.errors import BadSampleError, WisebenchError

MAX_IMAGE_PIXELS_ENV = "WISEBENCH_MAX_IMAGE_PIXELS"
DEFAULT_MAX_IMAGE_PIXELS = 2 * 89_478_485  # Pillow's DecompressionBombError threshold (2 x Image.MAX_IMAGE_PIXELS)

# Leading bytes of the formats photos come in; anything else is named by Pillow after it opens the file.
MAGIC_FORMATS = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
SUFFIX_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF"}


def max_image_pixels() -> int:
    """The pixel limit in force (WISEBENCH_MAX_IMAGE_PIXELS, else the default)."""
    raw = os.environ.get(MAX_IMAGE_PIXELS_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_IMAGE_PIXELS
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise WisebenchError(f"${MAX_IMAGE_PIXELS_ENV}={raw!r}: expected a positive whole number of pixels")
    return value


@contextmanager
def open_image(source: Path | bytes, origin: str) -> Iterator[Any]:
    """A Pillow image opened from a path or bytes, its size checked against the pixel limit before any pixel is
    decoded. Inside the block the caller decodes it: any failure there or while opening (Pillow's format plugins
    raise OSError, SyntaxError, ValueError, struct.error, IndexError ... on damaged bytes) is a BadSampleError
    naming `origin`, as is a size over the limit."""
    from PIL import Image

    if isinstance(source, Path) and source.exists() and not source.is_file():  # a FIFO would block the read
        raise BadSampleError(origin, "is a folder, expected an image file" if source.is_dir() else "not a regular file")
    limit = max_image_pixels()
    Image.MAX_IMAGE_PIXELS = limit  # Pillow warns above it and refuses above twice it; the check below is exact
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
        with image:
            width, height = image.size
            if width * height > limit:
                raise BadSampleError(
                    origin,
                    f"image is {width} x {height} = {width * height:,} pixels, over the limit of {limit:,} "
                    f"(a guard against decompression bombs; raise it with ${MAX_IMAGE_PIXELS_ENV})",
                )
            yield image
    except BadSampleError:
        raise
    except Image.DecompressionBombError as error:
        raise BadSampleError(origin, f"image refused as a decompression bomb: {error} (limit: ${MAX_IMAGE_PIXELS_ENV})") from error
    except MemoryError as error:
        raise BadSampleError(origin, "not enough memory to decode the image") from error
    except Exception as error:  # a damaged file: whatever the decoder raised, it is this file's fault
        raise BadSampleError(origin, f"cannot read image: {type(error).__name__}: {error}") from error


def sniffed_format(path: Path) -> str | None:
    """The format the file's first bytes announce (JPEG, PNG, ...), None when unknown or unreadable."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(16)
    except OSError:
        return None
    return next((name for magic, name in MAGIC_FORMATS if head.startswith(magic)), None)


def format_mismatch(path: Path) -> str | None:
    """'PNG data in a .jpg file' when the bytes and the suffix disagree (the file still loads), else None."""
    expected = SUFFIX_FORMATS.get(path.suffix.lower())
    actual = sniffed_format(path)
    if expected is None or actual is None or actual == expected:
        return None
    return f"{actual} data in a {path.suffix} file"
