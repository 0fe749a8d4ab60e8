"""What an uploaded file really is, decided from its first bytes: never from its name or the
Content-Type the browser sent. Pure functions, no I/O.

Images are recognised by Pillow (submissions/images.py); this module decides attachments: the
name's extension must belong to a family whose magic bytes the content carries (a .mcworld is
a zip, a .schem is gzip-compressed NBT, a .pdf starts with %PDF-), and anything that looks like
a program, a web page or an SVG is refused whatever it is called, because a browser or an
operating system could run it.
"""
from __future__ import annotations

from dataclasses import dataclass

from samskapa.i18n import N_

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with files; an empty zip
GZIP_MAGIC = (b"\x1f\x8b",)
PDF_MAGIC = (b"%PDF-",)

# Extension -> (family's magic, the Content-Type we serve it with).
ATTACHMENT_TYPES: dict[str, tuple[tuple[bytes, ...], str]] = {
    ".zip": (ZIP_MAGIC, "application/zip"),
    # Minecraft Education/Bedrock worlds, packs and templates are zip files.
    ".mcworld": (ZIP_MAGIC, "application/zip"),
    ".mcpack": (ZIP_MAGIC, "application/zip"),
    ".mcaddon": (ZIP_MAGIC, "application/zip"),
    ".mctemplate": (ZIP_MAGIC, "application/zip"),
    # Java schematics (Sponge .schem, MCEdit .schematic, Litematica, structure blocks):
    # gzip-compressed NBT.
    ".schem": (GZIP_MAGIC, "application/gzip"),
    ".schematic": (GZIP_MAGIC, "application/gzip"),
    ".litematic": (GZIP_MAGIC, "application/gzip"),
    ".nbt": (GZIP_MAGIC, "application/gzip"),
    ".pdf": (PDF_MAGIC, "application/pdf"),
    # Office documents and slides are zip containers too.
    ".pptx": (ZIP_MAGIC, "application/zip"),
    ".docx": (ZIP_MAGIC, "application/zip"),
    ".xlsx": (ZIP_MAGIC, "application/zip"),
    ".odp": (ZIP_MAGIC, "application/zip"),
    ".odt": (ZIP_MAGIC, "application/zip"),
    ".ods": (ZIP_MAGIC, "application/zip"),
}
ALLOWED_EXTENSIONS = tuple(ATTACHMENT_TYPES)

# Programs and pages, refused whatever the name says.
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
                    b"\xca\xfe\xba\xbe", b"#!")
MARKUP_MARKERS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")

WRONG_TYPE = N_("We accept %(types)s files. This one is not one of them.")
LOOKS_DANGEROUS = N_("This file looks like a program or a web page. We do not accept those, "
                     "whatever the file is called.")
CONTENT_DOES_NOT_MATCH = N_("This file's content is not what its name says (%(ext)s). Check "
                            "that you chose the right file.")


class NotAccepted(Exception):
    def __init__(self, message: str, **params) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Attachment:
    extension: str
    content_type: str


def extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower().strip()
    return "." + name.rsplit(".", 1)[1] if "." in name else ""


def is_dangerous(head: bytes) -> bool:
    if head.startswith(EXECUTABLE_MAGIC):
        return True
    # A page may start with a BOM or white space; browsers sniff the first 512 bytes.
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(MARKUP_MARKERS) or b"<script" in head[:512].lower()


def sniff_attachment(filename: str, head: bytes) -> Attachment:
    """The attachment's type from its first bytes (`head`, at least 512 of them when the file
    is that long), given the name the uploader chose. Raises NotAccepted with a msgid."""
    if is_dangerous(head):
        raise NotAccepted(LOOKS_DANGEROUS)
    ext = extension(filename)
    if ext not in ATTACHMENT_TYPES:
        raise NotAccepted(WRONG_TYPE, types=", ".join(ALLOWED_EXTENSIONS))
    magic, content_type = ATTACHMENT_TYPES[ext]
    if not head.startswith(magic):
        raise NotAccepted(CONTENT_DOES_NOT_MATCH, ext=ext)
    return Attachment(ext, content_type)
