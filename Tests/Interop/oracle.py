#!/usr/bin/env python3
"""The reference implementation (c2pa-rs, through c2pa-python) as a test oracle for Signet.

  oracle.py read FILE [--anchors PEM] [--cawg-anchors PEM]
                                          -> one JSON line: {"state", "failure", "informational", "manifests", "error", ...}
  oracle.py sign IN OUT --alg ALG --cert CHAIN.pem --key KEY.pem [--parent] [--cawg-cert CHAIN --cawg-key KEY --cawg-alg ALG]
                                          -> signs IN into OUT with c2pa-rs (with a CAWG X.509 identity assertion)
  oracle.py read-many FILE... [--anchors PEM]
                                          -> one such JSON line per file (with "file"), from one process
  oracle.py version                       -> the c2pa-rs version

Remote manifest fetching and OCSP fetching are off, as in the fixtures' README.
"""
import argparse
import json
import sys

import c2pa


def settings(anchors, cawg_anchors=None):
    s = {"verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False}}
    if anchors:
        with open(anchors) as f:
            s["trust"] = {"trust_anchors": f.read()}
    if cawg_anchors:
        # c2pa-rs judges CAWG identity credentials only against anchors of kind "cawg".
        with open(cawg_anchors) as f:
            s.setdefault("trust", {})["anchors"] = [{"trust_anchors": f.read(), "trust_kind": "cawg"}]
    return c2pa.Context(settings=c2pa.Settings.from_dict(s))


def read(args):
    print(json.dumps(read_one(args.file, settings(args.anchors, args.cawg_anchors))))


def read_many(args):
    """One JSON line per file, in order, from one process (the forgery tests read thousands of files)."""
    ctx = settings(args.anchors)
    for f in args.files:
        out = read_one(f, ctx)
        out["file"] = f
        print(json.dumps(out), flush=True)


def read_one(file, ctx):
    out = {"state": None, "failure": [], "informational": [], "manifests": 0, "error": None}
    try:
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
            builder.sign("image/png" if args.input.endswith(".png") else "image/jpeg", src, dst)
        print(json.dumps({"signed": args.output}))
        return
    if args.no_thumbnail:
        builder = c2pa.Builder(manifest, context=c2pa.Context(settings=c2pa.Settings.from_dict({"builder": {"thumbnail": {"enabled": False}}})))
    else:
        builder = c2pa.Builder(manifest)
    if args.parent:
        with open(args.parent, "rb") as f:
            builder.add_ingredient({"title": args.parent.rsplit("/", 1)[-1], "relationship": "parentOf", "label": "parent"},
                                   "image/png" if args.parent.endswith(".png") else "image/jpeg", f)
    builder.sign_file(args.input, args.output, signer)
    print(json.dumps({"signed": args.output}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("read")
    r.add_argument("file")
    r.add_argument("--anchors")
    r.add_argument("--cawg-anchors")
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
    sub.add_parser("version")
    args = p.parse_args()
    if args.cmd == "read":
        read(args)
    elif args.cmd == "read-many":
        read_many(args)
    elif args.cmd == "sign":
        sign(args)
    else:
        print(c2pa.sdk_version())


if __name__ == "__main__":
    sys.exit(main())
