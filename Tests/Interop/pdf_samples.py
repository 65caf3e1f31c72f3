#!/usr/bin/env python3
"""PDFs carrying a C2PA manifest store that c2pa-rs signed, for Signet's PDF reading tests.

  pdf_samples.py KIND OUT --alg ALG --cert CHAIN.pem --key KEY.pem   -> writes OUT, prints {"file", "store": [start, length]}

c2pa-rs (0.91.3, through c2pa-python) reads PDFs but does not write them, so the PDF around the store is written
here, by hand or by qpdf, and c2pa-rs signs a data hash over it: the store is first a placeholder of c2pa-rs's own
size, the hash excludes exactly the embedded file stream's data, and the signed store (the same size) then replaces
the placeholder in place (C2PA 2.2, A.4; the two-pass approach).

KIND:
  table        classic cross-reference table; the file specification in /Catalog/Names/EmbeddedFiles and /AF
  annotation   the file specification named by a FileAttachment annotation on the first page, and /AF
  objstm       `table` rewritten by qpdf with a cross-reference stream and object streams (the catalog and the
               file specification compressed inside one), the store stream left as it is
  incremental  `table`, then an incremental update that edits the page and adds a second store that c2pa-rs signs
               with the first PDF as its parent ingredient; the catalog's /AF names the new store
  edited       `table`, then an incremental update that edits the page and adds no store
  pdf-signature  `table` with a PDF signature field: the data hash also excludes the signature dictionary's
               /Contents hex string (C2PA 2.2 A.4.2.2), which openssl then fills with a detached CMS signature over the
               /ByteRange, after c2pa-rs signed; prints that range as "excluded"
  excluded-content  `table` whose data hash also excludes the page's content stream data (which C2PA 2.2 15.12.1
               does not allow: c2pa-rs accepts it, Signet refuses it); prints that range as "excluded"
"""
import argparse
import ctypes
import io
import json
import subprocess
import sys
import tempfile

import c2pa
from c2pa.c2pa import Stream, _lib

_lib.c2pa_signer_reserve_size.argtypes = [ctypes.c_void_p]
_lib.c2pa_signer_reserve_size.restype = ctypes.c_int64
_lib.c2pa_builder_data_hashed_placeholder.argtypes = [
    ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))]
_lib.c2pa_builder_data_hashed_placeholder.restype = ctypes.c_int64
_lib.c2pa_builder_sign_data_hashed_embeddable.argtypes = [
    ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p,
    ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))]
_lib.c2pa_builder_sign_data_hashed_embeddable.restype = ctypes.c_int64
_lib.c2pa_error.restype = ctypes.c_char_p

C2PA_FORMAT = b"application/c2pa"  # the raw store, which the PDF carries as is


def fail(what):
    raise SystemExit(f"{what}: {(_lib.c2pa_error() or b'').decode()}")


class Signing:
    """One c2pa-rs builder: a placeholder first, then the signed store over the finished PDF."""

    def __init__(self, args, title, parent=None):
        with open(args.cert, "rb") as f:
            cert = f.read()
        with open(args.key, "rb") as f:
            key = f.read()
        self.signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(args.alg.encode(), cert, key, None))
        actions = [{"action": "c2pa.created",
                    "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]
        if parent is not None:
            actions = [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}, {"action": "c2pa.edited"}]
        manifest = {"claim_generator_info": [{"name": "pdf_samples", "version": "1.0"}], "title": title,
                    "format": "application/pdf",
                    "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}]}
        self.builder = c2pa.Builder(manifest)
        if parent is not None:
            self.builder.add_ingredient({"title": "parent.pdf", "relationship": "parentOf", "label": "parent"},
                                        "application/pdf", io.BytesIO(parent))

    def placeholder(self):
        reserve = _lib.c2pa_signer_reserve_size(self.signer._handle)
        out = ctypes.POINTER(ctypes.c_ubyte)()
        n = _lib.c2pa_builder_data_hashed_placeholder(self.builder._handle, reserve, C2PA_FORMAT, ctypes.byref(out))
        if n < 0:
            fail("placeholder")
        return bytes(out[:n])

    def sign(self, pdf, start, length, extra=None):
        exclusions = sorted([(start, length)] + ([extra] if extra else []))
        data_hash = json.dumps({"exclusions": [{"start": s, "length": n} for s, n in exclusions], "name": "jumbf manifest",
                                "alg": "sha256", "hash": [], "pad": []})
        stream = Stream(io.BytesIO(pdf))
        out = ctypes.POINTER(ctypes.c_ubyte)()
        n = _lib.c2pa_builder_sign_data_hashed_embeddable(self.builder._handle, self.signer._handle, data_hash.encode(),
                                                         C2PA_FORMAT, stream._stream, ctypes.byref(out))
        if n < 0:
            fail("sign")
        store = bytes(out[:n])
        if len(store) != length:
            raise SystemExit(f"c2pa-rs signed {len(store)} bytes into a {length}-byte placeholder")
        return store


def content(text):
    return b"BT /F1 24 Tf 40 100 Td (" + text + b") Tj ET"


def stream(dictionary, data):
    return dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def write(objects, first_number=1, prefix=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", root=1, prev=None, size=None):
    """A body of numbered objects and a classic cross-reference section after `prefix` (an update when prev)."""
    out = bytearray(prefix)
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (first_number + i) + body + b"\nendobj\n"
    xref = len(out)
    if prev is None:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    else:
        out += b"xref\n%d %d\n" % (first_number, len(objects))
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    total = size or first_number + len(objects)
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        total, root, b" /Prev %d" % prev if prev is not None else b"", xref)
    return bytes(out)


def base(kind, placeholder):
    """Objects 1-8 of a one-page PDF whose object 7 is the store stream."""
    names = b" /Names << /EmbeddedFiles << /Names [(Content Credentials) 6 0 R] >> >>" if kind != "annotation" else b""
    annots = b" /Annots [8 0 R]" if kind == "annotation" else b""
    return [
        b"<< /Type /Catalog /Pages 2 0 R /AF [6 0 R]" + names + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >>" + annots + b" >>",
        stream(b"<<", content(b"Signed by Signet's tests")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Filespec /F (manifest.c2pa) /UF (manifest.c2pa) /Desc (Content Credentials)"
        b" /AFRelationship /C2PA_Manifest /Subtype /application#2Fc2pa /EF << /F 7 0 R >> >>",
        stream(b"<< /Type /EmbeddedFile /Subtype /application#2Fc2pa", placeholder),
        b"<< /Type /Annot /Subtype /FileAttachment /FS 6 0 R /Rect [0 0 10 10] /Contents (Content Credentials) >>",
    ]


def signed(pdf, signing, placeholder, extra=None):
    start = pdf.find(placeholder)
    if start < 0 or pdf.find(placeholder, start + 1) >= 0:
        raise SystemExit("the placeholder is not in the PDF exactly once")
    store = signing.sign(pdf, start, len(placeholder), extra)
    return pdf[:start] + store + pdf[start + len(placeholder):], [start, len(store)]


def qpdf(pdf, *options):
    with tempfile.TemporaryDirectory() as d:
        src, dst = f"{d}/in.pdf", f"{d}/out.pdf"
        with open(src, "wb") as f:
            f.write(pdf)
        subprocess.run(["qpdf", *options, src, dst], check=True)
        with open(dst, "rb") as f:
            return f.read()


def make(kind, args):
    first = Signing(args, "document.pdf")
    placeholder = first.placeholder()
    unsigned = write(base("annotation" if kind == "annotation" else "table", placeholder))
    if kind == "objstm":
        unsigned = qpdf(unsigned, "--object-streams=generate", "--compress-streams=n", "--stream-data=preserve")
    if kind == "pdf-signature":
        objects = base("table", placeholder)
        objects[0] = objects[0].replace(b"/Type /Catalog", b"/Type /Catalog /AcroForm << /Fields [9 0 R] /SigFlags 3 >>", 1)
        objects[2] = objects[2].replace(b"/Type /Page ", b"/Type /Page /Annots [9 0 R] ", 1)
        objects.append(b"<< /FT /Sig /T (Signature1) /V 10 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /F 132 >>")
        objects.append(b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached"
                       b" /ByteRange [0000000000 0000000000 0000000000 0000000000] /Contents <" + b"0" * 8192 + b"> >>")
        unsigned = write(objects)
        lo = unsigned.index(b"/Contents <0000") + len(b"/Contents ")
        hi = lo + 8194
        byte_range = b"[%010d %010d %010d %010d]" % (0, lo, hi, len(unsigned) - hi)
        unsigned = unsigned.replace(b"[0000000000 0000000000 0000000000 0000000000]", byte_range, 1)
        pdf, store = signed(unsigned, first, placeholder, (lo, hi - lo))
        with tempfile.TemporaryDirectory() as d:
            with open(f"{d}/data", "wb") as f:
                f.write(pdf[:lo] + pdf[hi:])
            subprocess.run(["openssl", "cms", "-sign", "-binary", "-noattr", "-outform", "DER", "-in", f"{d}/data",
                            "-signer", args.cert, "-inkey", args.key, "-out", f"{d}/sig"], check=True)
            with open(f"{d}/sig", "rb") as f:
                cms = f.read().hex().upper().encode()
        if len(cms) > 8192:
            raise SystemExit("the CMS signature does not fit the /Contents placeholder")
        pdf = pdf[:lo + 1] + cms + b"0" * (8192 - len(cms)) + pdf[hi - 1:]
        return pdf, store, [lo, hi - lo]
    if kind == "excluded-content":
        text = content(b"Signed by Signet's tests")
        excluded = (unsigned.find(text), len(text))
        pdf, store = signed(unsigned, first, placeholder, excluded)
        return pdf, store, list(excluded)
    pdf, store = signed(unsigned, first, placeholder)
    if kind in ("table", "annotation", "objstm"):
        return pdf, store, None
    # An incremental update: the page's content changed (object 4 again), then, for "incremental", a new store.
    xref = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    objects = [stream(b"<<", content(b"Edited by Signet's tests"))]
    if kind == "edited":
        return write(objects, first_number=4, prefix=pdf, prev=xref, size=9), store, None
    second = Signing(args, "document.pdf", parent=pdf)
    placeholder2 = second.placeholder()
    update = [
        b"<< /Type /Catalog /Pages 2 0 R /AF [10 0 R] /Names << /EmbeddedFiles << /Names [(Content Credentials) 10 0 R] >> >> >>",
        b"<< /Type /Filespec /F (manifest2.c2pa) /UF (manifest2.c2pa) /AFRelationship /C2PA_Manifest"
        b" /Subtype /application#2Fc2pa /EF << /F 11 0 R >> >>",
        stream(b"<< /Type /EmbeddedFile /Subtype /application#2Fc2pa", placeholder2),
    ]
    # Objects 1 (the catalog) and 4 (the content) are replaced; 9 is unused; 10 and 11 are new.
    body = bytearray(pdf)
    offsets = {}
    for number, obj in [(1, update[0]), (4, objects[0]), (10, update[1]), (11, update[2])]:
        offsets[number] = len(body)
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    at = len(body)
    body += b"xref\n1 1\n%010d 00000 n \n4 1\n%010d 00000 n \n10 2\n%010d 00000 n \n%010d 00000 n \n" % (
        offsets[1], offsets[4], offsets[10], offsets[11])
    body += b"trailer\n<< /Size 12 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (xref, at)
    return (*signed(bytes(body), second, placeholder2), None)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["table", "annotation", "objstm", "incremental", "edited", "pdf-signature", "excluded-content"])
    p.add_argument("output")
    p.add_argument("--alg", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    args = p.parse_args()
    pdf, store, excluded = make(args.kind, args)
    with open(args.output, "wb") as f:
        f.write(pdf)
    print(json.dumps({"file": args.output, "store": store, "excluded": excluded}))


if __name__ == "__main__":
    sys.exit(main())
