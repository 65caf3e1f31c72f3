#!/usr/bin/env python3
"""The reference implementation (c2pa-rs, through c2pa-python) as a test oracle for Signet.

  oracle.py read FILE [--anchors PEM] [--cawg-anchors PEM]
                                          -> one JSON line: {"state", "failure", "informational", "manifests", "error", ...}
  oracle.py sign IN OUT --alg ALG --cert CHAIN.pem --key KEY.pem [--parent] [--cawg-cert CHAIN --cawg-key KEY --cawg-alg ALG]
                                          -> signs IN into OUT with c2pa-rs (with a CAWG X.509 identity assertion)
  oracle.py read-many FILE... [--anchors PEM]
                                          -> one such JSON line per file (with "file"), from one process
  oracle.py read-fragments INIT FRAG... [--anchors PEM]
                                          -> c2pa-rs's Reader.with_fragment on INIT and each FRAG, one JSON line each
  oracle.py version                       -> the c2pa-rs version

Remote manifest fetching and OCSP fetching are off, as in the fixtures' README.

The format handed to c2pa-rs (for the asset, and for a --parent ingredient) comes from the file's content
(mime_of: JPEG, PNG, GIF, TIFF, WebP, WAV, AVI, MP3, FLAC, MP4/MOV/M4A/HEIF/HEIC/AVIF, PDF, SVG, JPEG XL, a bare
.c2pa store); only when the content names none does the file name's extension decide, as before.
"""
import argparse
import json
import mimetypes
import sys

import c2pa

# ISO BMFF brands (major first, then compatible) -> the MIME type c2pa-rs registers for them.
BMFF_BRANDS = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4", b"M4B ": "audio/mp4", b"M4P ": "audio/mp4", b"F4A ": "audio/mp4", b"F4B ": "audio/mp4",
    b"M4V ": "video/x-m4v", b"M4VH": "video/x-m4v", b"M4VP": "video/x-m4v",
    b"avif": "image/avif", b"avis": "image/avif",
    b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
    b"hevc": "image/heic", b"hevx": "image/heic", b"hevm": "image/heic", b"hevs": "image/heic",
}
# Brands that say "HEIF" without naming the codec: used only when no more specific brand is listed.
BMFF_GENERIC_IMAGE = {b"mif1", b"msf1", b"mif2", b"miaf"}


def mime_of(path):
    """The MIME type of a file from its first bytes, for every container c2pa-rs reads; None if the content does not
    identify one (the caller then falls back to the file name)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
            if head.startswith(b"ID3") and len(head) >= 10:
                # ID3v2 (MP3; c2pa-rs also puts one in front of FLAC): look past the tag.
                size = 0
                for b in head[6:10]:
                    size = size << 7 | (b & 0x7F)
                end = 10 + size + (10 if head[3] == 4 and head[5] & 0x10 else 0)
                f.seek(end)
                after = f.read(4)
                return "audio/flac" if after == b"fLaC" else "audio/mpeg"
    except OSError:
        return None
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/dng" if path.lower().endswith(".dng") else "image/tiff"
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/avi"}.get(head[8:12])
    if head[:4] == b"fLaC":
        return "audio/flac"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio/mpeg"
    if head[4:8] == b"ftyp" and len(head) >= 12:
        size = int.from_bytes(head[0:4], "big")
        brands = [head[8:12]] + [head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)]
        for brand in brands:
            if brand in BMFF_BRANDS:
                return BMFF_BRANDS[brand]
        if any(b in BMFF_GENERIC_IMAGE for b in brands):
            return "image/heif"
        return "video/mp4"
    if head[4:8] == b"jumb":
        return "application/c2pa"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):
        return "image/jxl"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if (text.startswith(b"<?xml") or text.startswith(b"<svg") or text.startswith(b"<!DOCTYPE svg")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def format_of(path):
    """mime_of, else the MIME type c2pa-python derives from the extension (the behaviour before content sniffing)."""
    return mime_of(path) or mimetypes.guess_type(path)[0] or ("image/png" if path.endswith(".png") else "image/jpeg")


def settings(anchors, cawg_anchors=None, ocsp_fetch=False):
    s = {"verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": ocsp_fetch}}
    if anchors:
        with open(anchors) as f:
            s["trust"] = {"trust_anchors": f.read()}
    if cawg_anchors:
        # c2pa-rs judges CAWG identity credentials only against anchors of kind "cawg".
        with open(cawg_anchors) as f:
            s.setdefault("trust", {})["anchors"] = [{"trust_anchors": f.read(), "trust_kind": "cawg"}]
    return c2pa.Context(settings=c2pa.Settings.from_dict(s))


def read(args):
    print(json.dumps(read_one(args.file, settings(args.anchors, args.cawg_anchors, args.ocsp_fetch))))


def read_many(args):
    """One JSON line per file, in order, from one process (the forgery tests read thousands of files)."""
    ctx = settings(args.anchors)
    for f in args.files:
        out = read_one(f, ctx)
        out["file"] = f
        print(json.dumps(out), flush=True)


def read_fragments(args):
    """c2pa-rs's fragment reader: the initialization segment with each fragment in turn, one JSON line each."""
    ctx = settings(args.anchors)
    for frag in args.fragments:
        out = {"fragment": frag, "state": None, "failure": [], "success": [], "error": None}
        try:
            with open(args.init, "rb") as main, open(args.init, "rb") as init, open(frag, "rb") as f:
                reader = c2pa.Reader("video/mp4", main, context=ctx)
                reader.with_fragment("video/mp4", init, f)
                report = json.loads(reader.json())
            active = report.get("validation_results", {}).get("activeManifest", {})
            out["state"] = report.get("validation_state")
            out["failure"] = [x["code"] for x in active.get("failure", [])]
            out["success"] = [x["code"] for x in active.get("success", [])]
        except Exception as e:
            out["state"] = "error"
            out["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(out), flush=True)


def read_one(file, ctx):
    out = {"state": None, "failure": [], "informational": [], "manifests": 0, "error": None}
    try:
        mime = mime_of(file)
        if mime:
            with open(file, "rb") as stream:
                report = json.loads(c2pa.Reader(mime, stream, context=ctx).json())
        else:
            report = json.loads(c2pa.Reader(file, context=ctx).json())
    except Exception as e:  # the reader raises for no manifest / unsupported algorithm
        out["state"] = "error"
        out["error"] = f"{type(e).__name__}: {e}"
        return out
    active = report.get("validation_results", {}).get("activeManifest", {})
    out["state"] = report.get("validation_state")
    out["failure"] = [s["code"] for s in active.get("failure", [])]
    out["informational"] = [s["code"] for s in active.get("informational", [])]
    out["success"] = [s["code"] for s in active.get("success", [])]
    out["manifests"] = len(report.get("manifests", {}))
    out["active_manifest"] = report.get("active_manifest")
    deltas = report.get("validation_results", {}).get("ingredientDeltas", [])
    out["ingredient_delta_failures"] = [f["code"] for d in deltas for f in d.get("validationDeltas", {}).get("failure", [])]
    out["ingredient_deltas_by_uri"] = {d["ingredientAssertionURI"]: sorted(f["code"] for f in d.get("validationDeltas", {}).get("failure", []))
                                       for d in deltas if d.get("validationDeltas", {}).get("failure")}
    out["manifest_labels"] = sorted(report.get("manifests", {}).keys())
    return out


def sign(args):
    with open(args.cert, "rb") as f:
        cert = f.read()
    with open(args.key, "rb") as f:
        key = f.read()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(args.alg.encode(), cert, key, None))
    manifest = {
        "claim_generator_info": [{"name": "oracle", "version": "1.0"}],
        "title": args.title or "oracle-signed",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
                        }
                    ]
                },
            }
        ],
    }
    if args.parent:
        manifest["assertions"][0]["data"]["actions"] = [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}},
            {"action": "c2pa.cropped"},
        ]
    if args.cawg_cert:
        # c2pa-rs adds a CAWG X.509 identity assertion when its settings name a cawg_x509_signer; the claim signer
        # must then come from the settings too.
        with open(args.cawg_cert) as f:
            cawg_cert = f.read()
        with open(args.cawg_key) as f:
            cawg_key = f.read()
        ctx = c2pa.Context.from_dict({
            "signer": {"local": {"alg": args.alg, "sign_cert": cert.decode(), "private_key": key.decode()}},
            "cawg_x509_signer": {"local": {"alg": args.cawg_alg, "sign_cert": cawg_cert, "private_key": cawg_key,
                                           "referenced_assertions": ["c2pa.actions", "c2pa.actions.v2"],
                                           "roles": ["cawg.creator"]}},
        })
        builder = c2pa.Builder(manifest, context=ctx)
        builder._has_context_signer = True  # c2pa-python sets this only for a Signer object; use the settings' signer
        with open(args.input, "rb") as src, open(args.output, "wb") as dst:
            builder.sign(format_of(args.input), src, dst)
        print(json.dumps({"signed": args.output}))
        return
    if args.no_thumbnail:
        builder = c2pa.Builder(manifest, context=c2pa.Context(settings=c2pa.Settings.from_dict({"builder": {"thumbnail": {"enabled": False}}})))
    else:
        builder = c2pa.Builder(manifest)
    if args.parent:
        with open(args.parent, "rb") as f:
            builder.add_ingredient({"title": args.parent.rsplit("/", 1)[-1], "relationship": "parentOf", "label": "parent"},
                                   format_of(args.parent), f)
    mime = mime_of(args.input)
    if mime:
        with open(args.input, "rb") as src, open(args.output, "w+b") as dst:
            builder.sign(signer, mime, src, dst)
    else:
        builder.sign_file(args.input, args.output, signer)
    print(json.dumps({"signed": args.output}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("read")
    r.add_argument("file")
    r.add_argument("--anchors")
    r.add_argument("--cawg-anchors")
    r.add_argument("--ocsp-fetch", action="store_true", help="let c2pa-rs fetch OCSP from the signer certificate's AIA URL")
    s = sub.add_parser("sign")
    s.add_argument("input")
    s.add_argument("output")
    s.add_argument("--alg", required=True)
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--title")
    s.add_argument("--parent")
    s.add_argument("--cawg-cert")
    s.add_argument("--cawg-key")
    s.add_argument("--cawg-alg", default="es256")
    s.add_argument("--no-thumbnail", action="store_true")
    m = sub.add_parser("read-many")
    m.add_argument("files", nargs="+")
    m.add_argument("--anchors")
    fr = sub.add_parser("read-fragments")
    fr.add_argument("init")
    fr.add_argument("fragments", nargs="+")
    fr.add_argument("--anchors")
    sub.add_parser("version")
    args = p.parse_args()
    if args.cmd == "read":
        read(args)
    elif args.cmd == "read-fragments":
        read_fragments(args)
    elif args.cmd == "read-many":
        read_many(args)
    elif args.cmd == "sign":
        sign(args)
    else:
        print(c2pa.sdk_version())


if __name__ == "__main__":
    sys.exit(main())
