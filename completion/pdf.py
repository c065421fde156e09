"""The certificate as a PDF: A4 landscape, made on the server with WeasyPrint.

It says who completed which course and when, who provides it, and how to
check it (a code, and a QR code to the verification page); nothing about
mental health or lived experience. Everything it shows is put in the HTML
itself (pictures as data: addresses): WeasyPrint is given no way to fetch
anything, from the network or the disk.
"""

import base64
import io
import mimetypes

import segno
from django.template.loader import render_to_string

from completion.models import Certificate, CertificateSettings


def verification_url(site_url: str, certificate: Certificate) -> str:
    return f"{site_url.rstrip('/')}/certificates/verify/?code={certificate.code}"


def certificate_pdf(certificate: Certificate, site_url: str) -> bytes:
    settings_row = CertificateSettings.current()
    url = verification_url(site_url, certificate)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    html = render_to_string(
        "completion/certificate.html",
        {
            "certificate": certificate,
            "settings": settings_row,
            "verification_url": url,
            "verification_page": url.split("?", 1)[0],
            "qr_code": _data_url(qr.getvalue(), "image/png"),
            "logo": _file_data_url(settings_row.logo),
            "signature": _file_data_url(settings_row.signature),
        },
    )
    # Imported here: WeasyPrint takes half a second to load, and only this
    # page needs it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # data: addresses only: no request leaves the site, no file is read.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def _data_url(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def _file_data_url(field_file) -> str:
    if not field_file:
        return ""
    try:
        with field_file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""  # a missing picture leaves its place empty, not the certificate
    content_type = mimetypes.guess_type(field_file.name)[0] or "image/png"
    return _data_url(data, content_type)
