"""What reportlab cannot write into a print PDF, added with pikepdf after it has drawn the page.

- Every font subset gets its own six-letter tag (ISO 32000-1 §9.6.4; reportlab numbers each
  font's subsets from ``AAAAAA`` so every font's first subset collides). The tag comes from a
  hash of the embedded subset program and the font's name, so a render stays reproducible.
- With an output condition, the file becomes PDF/X-4 (ISO 15930-7): PDF 1.6, an
  ``/OutputIntents`` entry (``/GTS_PDFX``) holding the ICC profile, ``/GTS_PDFXVersion`` and
  ``/Trapped /False`` in the Info dictionary and the same in XMP metadata (``pdfxid``, ``dc``,
  ``xmp``, ``pdf``, ``xmpMM``), a document ID, and a CMYK transparency group on each page
  (X-4 keeps transparency live: the RIP blends in the press's colour space).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from xml.sax.saxutils import escape

import pikepdf

from app.design.color import OutputCondition

PDFX_VERSION = "PDF/X-4"
PRODUCER = "Luneo (ReportLab, pikepdf)"
_SUBSET = re.compile(r"^/[A-Z]{6}\+(.+)$")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def finish_pdf(data: bytes, intent: OutputCondition | None) -> bytes:
    """reportlab's PDF with distinct subset tags and, given an output condition, as PDF/X-4."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        retag_subsets(pdf)
        if intent is not None:
            _make_pdfx4(pdf, intent, hashlib.sha256(data).digest())
        out = io.BytesIO()
        pdf.save(out, min_version="1.6" if intent else "", deterministic_id=True)
    return out.getvalue()


def subset_tag(program: bytes, name: str, salt: int = 0) -> str:
    digest = hashlib.sha256(program + name.encode() + salt.to_bytes(4, "big")).digest()
    return "".join(_LETTERS[b % 26] for b in digest[:6])


def retag_subsets(pdf: pikepdf.Pdf) -> None:
    """Replace each subset font's tag by one derived from its subset program (unique per file)."""
    used: set[str] = set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
            continue
        match = _SUBSET.match(str(obj.get("/BaseFont", "")))
        descriptor = obj.get("/FontDescriptor")
        if match is None or descriptor is None:
            continue
        program = next(
            (descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor),
            None,
        )
        raw = program.read_raw_bytes() if program is not None else b""
        salt = 0
        while (tag := subset_tag(raw, match[1], salt)) in used:
            salt += 1
        used.add(tag)
        name = pikepdf.Name(f"/{tag}+{match[1]}")
        obj.BaseFont = name
        descriptor.FontName = name


def _make_pdfx4(pdf: pikepdf.Pdf, intent: OutputCondition, seed: bytes) -> None:
    profile = pikepdf.Stream(pdf, intent.icc)
    profile.N = 4
    output_intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(intent.identifier),
        OutputCondition=pikepdf.String(intent.condition),
        Info=pikepdf.String(intent.condition),
        RegistryName=pikepdf.String(intent.registry),
        DestOutputProfile=pdf.make_indirect(profile),
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(output_intent)])
    for page in pdf.pages:
        page.obj.Group = pikepdf.Dictionary(
            Type=pikepdf.Name.Group, S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceCMYK
        )
    info = pdf.docinfo
    for key in ("/Author", "/Subject", "/Keywords"):  # reportlab's placeholders, not in the XMP
        if key in info:
            del info[key]
    info.GTS_PDFXVersion = pikepdf.String(PDFX_VERSION)
    info.Trapped = pikepdf.Name("/False")
    info.Producer = pikepdf.String(PRODUCER)
    if "/ModDate" not in info:
        info.ModDate = info.CreationDate
    xmp = _xmp(
        title=str(info.get("/Title", "")),
        creator=str(info.get("/Creator", "")),
        created=_xmp_date(str(info.CreationDate)),
        modified=_xmp_date(str(info.ModDate)),
        document_id=f"uuid:{uuid.UUID(bytes=seed[:16])}",
    )
    metadata = pikepdf.Stream(pdf, xmp.encode())
    metadata.Type = pikepdf.Name.Metadata
    metadata.Subtype = pikepdf.Name.XML
    pdf.Root.Metadata = pdf.make_indirect(metadata)


def _xmp_date(pdf_date: str) -> str:
    """D:20000101000000+00'00' -> 2000-01-01T00:00:00+00:00"""
    d = pdf_date.removeprefix("D:")
    zone = d[14:].replace("'", "")
    zone = "Z" if zone in ("", "Z") else f"{zone[:3]}:{zone[3:5] or '00'}"
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}{zone}"


def _xmp(*, title: str, creator: str, created: str, modified: str, document_id: str) -> str:
    e = escape
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(title)}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{modified}</xmp:ModifyDate>
   <xmp:MetadataDate>{modified}</xmp:MetadataDate>
   <xmp:CreatorTool>{e(creator)}</xmp:CreatorTool>
   <pdf:Producer>{e(PRODUCER)}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>{document_id}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
