"""Uploaded images: recognised by Pillow from their content, re-encoded without metadata, and
given a thumbnail.

What is served is never the uploaded file: the pixels are decoded and written again, so no
EXIF, GPS position, XMP or comment survives (pupils photograph their builds with phones that
record where they are). The camera's orientation is applied to the pixels first, so the picture
still stands the right way up without its EXIF tag.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from samskapa.i18n import N_

# Pillow format -> (format we write, extension, Content-Type). A GIF is kept as its first
# frame in PNG: an animation is not worth a second code path.
FORMATS = {
    "JPEG": ("JPEG", ".jpg", "image/jpeg"),
    "PNG": ("PNG", ".png", "image/png"),
    "WEBP": ("WEBP", ".webp", "image/webp"),
    "GIF": ("PNG", ".png", "image/png"),
}
THUMBNAIL_SIZE = (640, 480)
# A decompression bomb (a tiny file that decodes to gigapixels) is refused well before memory
# runs out: 40 megapixels is more than any phone camera.
MAX_PIXELS = 40_000_000

NOT_AN_IMAGE = N_("This is not an image we can show. Upload a JPEG, PNG, WebP or GIF picture.")
TOO_MANY_PIXELS = N_("This image is too large (more than %(mp)s megapixels). Make it smaller "
                     "and upload it again.")


class NotAnImage(Exception):
    def __init__(self, message: str, **params) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class StoredImage:
    content_type: str
    extension: str
    width: int
    height: int


def _open(path: Path) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
            if image.format not in FORMATS:
                raise NotAnImage(NOT_AN_IMAGE)
            if image.width * image.height > MAX_PIXELS:
                raise NotAnImage(TOO_MANY_PIXELS, mp=MAX_PIXELS // 1_000_000)
            image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
                Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise NotAnImage(NOT_AN_IMAGE) from None
    return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """The picture upright, in a mode the output format takes, with no metadata attached."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if "transparency" in upright.info
                                  or upright.mode in ("P", "PA") else "RGB")
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def store_image(source: Path, folder: Path, stem: str, thumbnail: Path) -> StoredImage:
    """Decodes `source` (the uploaded bytes), writes the cleaned picture to `folder/stem.<ext>`
    (the extension of the format written) and a JPEG thumbnail to `thumbnail`. Raises
    NotAnImage with a msgid."""
    with _open(source) as image:
        out_format, ext, content_type = FORMATS[image.format]
        clean = _pixels_only(image)
    if out_format == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    # No exif=, no icc_profile=, no pnginfo=: Pillow writes no metadata it is not given.
    clean.save(folder / f"{stem}{ext}", out_format,
               **({"quality": 88} if out_format in ("JPEG", "WEBP") else {}))
    thumb = clean.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    if thumb.mode != "RGB":
        background = Image.new("RGB", thumb.size, "white")
        background.paste(thumb, mask=thumb.getchannel("A") if "A" in thumb.mode else None)
        thumb = background
    thumb.save(thumbnail, "JPEG", quality=80)
    return StoredImage(content_type, ext, clean.width, clean.height)
