"""Uploaded files are checked by their content, not their name, and by size."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURES = {
    "pdf": [b"%PDF-"],
    "jpeg": [b"\xff\xd8\xff"],
    "png": [b"\x89PNG\r\n\x1a\n"],
}


def sniff(head: bytes) -> str | None:
    for kind, magics in SIGNATURES.items():
        if any(head.startswith(m) for m in magics):
            return kind
    return None


EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def check_upload(upload, *, kinds: set[str]) -> str:
    """Refuse a file that is too large or whose content is not one of `kinds`; rename it after its content, so
    that a file named x.html that starts like a PNG is stored (and later served) as .png, never as HTML."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind not in kinds:
        raise ValidationError(
            _("This file type is not accepted. Upload one of: %(kinds)s.") % {"kinds": ", ".join(sorted(kinds))}
        )
    upload.name = f"upload.{EXTENSIONS[kind]}"
    return kind


def check_upload_for(field: str, upload, *, kinds: set[str]) -> str:
    """check_upload, with a refusal reported against the form field `field`."""
    try:
        return check_upload(upload, kinds=kinds)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def serve_upload(field_file, *, download_name: str | None = None):
    """An uploaded file as a response: the type comes from our own extension whitelist, the browser may not
    sniff another, and nothing in it can run (CSP sandbox)."""
    from django.http import FileResponse

    ext = field_file.name.rsplit(".", 1)[-1].lower()
    content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
    response = FileResponse(
        field_file.open("rb"),
        content_type=content_type,
        as_attachment=content_type == "application/octet-stream" or bool(download_name),
        filename=download_name or f"file.{ext}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
