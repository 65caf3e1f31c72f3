#!/usr/bin/env python3
"""Builds the labelled set for the `signet detect` benchmark: real photographs, honest re-saves and local edits
with exact masks, split into train and test by source photo.

Usage: build_set.py OUT_DIR [--seed N] [--crops-colour 9] [--crops-gray 4]

Material (all offline): scikit-image's bundled photographs and scikit-learn's two sample images.
- Colour: astronaut, chelsea, coffee, motorcycle_left + motorcycle_right (a stereo pair: one split group),
  immunohistochemistry (a microscope photograph), rocket, hubble_deep_field, china, flower.
- Gray: camera, coins, moon, brick, grass, gravel.
- rocket, hubble_deep_field, china and flower are distributed as JPEG. They first lose their JPEG history: they are
  downscaled by 2 with area averaging (Pillow `reduce(2)`, a 2x2 box), which averages the old 8x8 grid away
  (its block edges land every 4 pixels at a quarter of their strength, under the new compression's noise).
- moon is a nearest-neighbour 2x upscale (every other pixel difference is exactly zero), which would read as a
  whole-image resampling trace in every crop: it is reduced by 2 the same way, which recovers the original grid.

Each base image is a square crop (256 px, or the largest multiple of 8 that fits: 208 px for the 320x213
reductions) at a random position, mirrored left-right half the time. Its "camera original" is the crop saved as JPEG
at quality Q1 (uniform 70..98; colour: 4:2:0 or 4:4:4 at random). From each base come two controls and two
manipulations (kinds taken round-robin, so every kind gets about the same count and the set is balanced):

controls (label 0), whole image, nothing local:
  original      the Q1 file as it is
  resave        the Q1 file decoded and saved once more at Q2 (uniform 70..98, != Q1)
manipulations (label 1), made on the decoded Q1 original, then saved at Q2 (!= Q1), with a mask of the region:
  splice        a region of a crop of *another* photo of the same split, itself saved as JPEG at a quality Qd
                (|Qd - Q1| >= 5) on its own grid, pasted at a random position
  copy_move     a region of the same image moved by a shift of at least 40 px
  resample      a region rescaled in place by a factor in 1.15..1.6 or 0.7..0.87 (bilinear, bicubic or Lanczos),
                cropped to the region
  blur          Gaussian blur, radius 1.5..3, inside the region
  sharpen       unsharp mask (radius 1..3, 80..200 %) inside the region
  dq_aligned    the region's bounding box JPEG-compressed on its own at a third quality Q3 (|Q3 - Q1|, |Q3 - Q2|
                >= 5; same subsampling as the original), its origin on a multiple of 16 px, so its 8x8 (and
                4:2:0 16x16) grid lines up with the image's; pasted back in place through the mask
  dq_nonaligned the same with the box's origin off the 8 px grid (origin mod 8 != (0, 0))
Regions are rectangles or ellipses covering 10..30 % of the image (aspect 0.6..1.6). Masks are PNGs, 255 inside.

labels.csv: file, label, kind, split, source, q1, q2, mask, then q3 (Q3, or Qd for splices), sub1, sub2
(chroma subsampling of the two saves), width, height, group (the split unit), base, notes. Paths are relative to
OUT_DIR. Everything is fixed by --seed (and by the libjpeg Pillow links against).
"""
import argparse
import csv
import json
import math
import os
import sys
from collections import Counter, defaultdict

import numpy as np
from PIL import Image, ImageFilter

KINDS = ["splice", "copy_move", "resample", "blur", "sharpen", "dq_aligned", "dq_nonaligned"]
CONTROLS = ["original", "resave"]
CROP = 256
SUB_NAMES = {0: "4:4:4", 2: "4:2:0"}


def load_sources():
    """[(source id, split group, PIL image, note)] for every photograph used."""
    import skimage.data as d
    from sklearn.datasets import load_sample_images

    def rgb(a):
        return Image.fromarray(np.ascontiguousarray(a)).convert("RGB")

    def gray(a):
        return Image.fromarray(np.ascontiguousarray(a)).convert("L")

    reduce_note = "JPEG in the library: reduced by 2 (2x2 area average) to drop its JPEG history"
    left, right, _ = d.stereo_motorcycle()
    samples = load_sample_images()
    by_name = {os.path.basename(f): im for f, im in zip(samples.filenames, samples.images)}
    out = [
        ("astronaut", "astronaut", rgb(d.astronaut()), ""),
        ("chelsea", "chelsea", rgb(d.chelsea()), ""),
        ("coffee", "coffee", rgb(d.coffee()), ""),
        ("motorcycle_left", "motorcycle", rgb(left), "stereo pair with motorcycle_right: one split group"),
        ("motorcycle_right", "motorcycle", rgb(right), "stereo pair with motorcycle_left: one split group"),
        ("immunohistochemistry", "immunohistochemistry", rgb(d.immunohistochemistry()), "microscope photograph"),
        ("rocket", "rocket", rgb(d.rocket()).reduce(2), reduce_note),
        ("hubble", "hubble", rgb(d.hubble_deep_field()).reduce(2), reduce_note),
        ("china", "china", rgb(by_name["china.jpg"]).reduce(2), reduce_note),
        ("flower", "flower", rgb(by_name["flower.jpg"]).reduce(2), reduce_note),
        ("camera", "camera", gray(d.camera()), ""),
        ("coins", "coins", gray(d.coins()), ""),
        ("moon", "moon", gray(d.moon()).reduce(2), "a nearest-neighbour 2x upscale in the library: reduced by 2"),
        ("brick", "brick", gray(d.brick()), "texture"),
        ("grass", "grass", gray(d.grass()), "texture"),
        ("gravel", "gravel", gray(d.gravel()), "texture"),
    ]
    return out


def split_groups(sources, rng):
    """Half the groups of each stratum (colour photos, gray photos, gray textures) to train, the rest to test; a
    stratum's odd group goes to train or test at random."""
    split = {}
    strata = defaultdict(set)
    for _, g, im, note in sources:
        strata[(im.mode, note == "texture")].add(g)
    for key in sorted(strata):
        groups = sorted(strata[key])
        order = [groups[i] for i in rng.permutation(len(groups))]
        n_train = (len(order) + int(rng.integers(2))) // 2
        for i, g in enumerate(order):
            split[g] = "train" if i < n_train else "test"
    return split


def save_jpeg(im, path, q, sub):
    kw = {"quality": int(q)}
    if im.mode != "L":
        kw["subsampling"] = sub
    im.save(path, "JPEG", **kw)


def jpeg_roundtrip(im, q, sub):
    import io

    buf = io.BytesIO()
    save_jpeg(im, buf, q, sub)
    buf.seek(0)
    return Image.open(buf).convert(im.mode)


def pick_quality(rng, lo, hi, avoid, gap):
    choices = [q for q in range(lo, hi + 1) if all(abs(q - a) >= gap for a in avoid)]
    return int(choices[rng.integers(len(choices))])


def region(rng, size, align=None):
    """A random rectangle or ellipse of 10..30 % of a size x size image: (mask L image, (x0, y0, w, h), shape).
    align: None (anywhere), "aligned" (origin on a multiple of 16), "nonaligned" (origin mod 8 != (0, 0))."""
    area = rng.uniform(0.10, 0.30) * size * size
    aspect = math.exp(rng.uniform(math.log(0.6), math.log(1.6)))
    shape = "ellipse" if rng.random() < 0.5 else "rectangle"
    box_area = area * (4 / math.pi if shape == "ellipse" else 1.0)
    w = int(round(math.sqrt(box_area * aspect)))
    h = int(round(box_area / max(w, 1)))
    w, h = min(w, size - 24), min(h, size - 24)
    x0 = int(rng.integers(4, size - w - 4 + 1))
    y0 = int(rng.integers(4, size - h - 4 + 1))
    if align == "aligned":
        x0, y0 = (x0 // 16) * 16, (y0 // 16) * 16
    elif align == "nonaligned":
        dx, dy = 0, 0
        while (dx, dy) == (0, 0):
            dx, dy = int(rng.integers(8)), int(rng.integers(8))
        x0, y0 = (x0 // 8) * 8 + dx, (y0 // 8) * 8 + dy
        x0, y0 = min(x0, size - w), min(y0, size - h)
        if x0 % 8 == 0 and y0 % 8 == 0:
            x0 -= 1
    mask = Image.new("L", (size, size), 0)
    from PIL import ImageDraw

    draw = ImageDraw.Draw(mask)
    if shape == "ellipse":
        draw.ellipse([x0, y0, x0 + w - 1, y0 + h - 1], fill=255)
    else:
        draw.rectangle([x0, y0, x0 + w - 1, y0 + h - 1], fill=255)
    return mask, (x0, y0, w, h), shape


def manipulate(kind, orig, base, rng, sources_by_split, q1, sub1, q2):
    """Returns (manipulated image, mask, q3-or-Qd or '', notes)."""
    size = orig.size[0]
    if kind == "dq_aligned":
        mask, (x0, y0, w, h), shape = region(rng, size, "aligned")
    elif kind == "dq_nonaligned":
        mask, (x0, y0, w, h), shape = region(rng, size, "nonaligned")
    else:
        mask, (x0, y0, w, h), shape = region(rng, size)
    box = (x0, y0, x0 + w, y0 + h)
    out = orig.copy()
    q3, notes = "", f"{shape} {w}x{h} at ({x0},{y0})"
    if kind == "splice":
        donors = [s for s in sources_by_split[base["split"]] if s[0] != base["source"] and s[1] != base["group"]
                  and (orig.mode == "L" or s[2].mode == "RGB")]
        sid, _, dim, _ = donors[int(rng.integers(len(donors)))]
        dw, dh = dim.size
        bw, bh = min(w, dw), min(h, dh)
        dx, dy = int(rng.integers(0, dw - bw + 1)), int(rng.integers(0, dh - bh + 1))
        q3 = pick_quality(rng, 60, 98, [q1], 5)
        dsub = [0, 2][int(rng.integers(2))]
        patch = jpeg_roundtrip(dim.crop((dx, dy, dx + bw, dy + bh)).convert(orig.mode), q3, dsub)
        if (bw, bh) != (w, h):
            patch = patch.resize((w, h), Image.BICUBIC)
        out.paste(patch, (x0, y0), mask.crop(box))
        notes += f"; donor {sid} at ({dx},{dy}) saved at Qd={q3} {SUB_NAMES[dsub]}"
    elif kind == "copy_move":
        for _ in range(1000):
            ang = rng.uniform(0, 2 * math.pi)
            dist = rng.uniform(40, 0.6 * size)
            sx, sy = int(round(x0 + dist * math.cos(ang))), int(round(y0 + dist * math.sin(ang)))
            if 0 <= sx <= size - w and 0 <= sy <= size - h and math.hypot(sx - x0, sy - y0) >= 40:
                break
        else:  # the region is too large for any shift: shrink it would change the draw; move along the longer free axis
            sx, sy = (0 if x0 >= 40 else size - w), y0
        patch = orig.crop((sx, sy, sx + w, sy + h))
        out.paste(patch, (x0, y0), mask.crop(box))
        notes += f"; copied from ({sx},{sy}), shift {math.hypot(sx - x0, sy - y0):.0f} px"
    elif kind == "resample":
        factor = rng.uniform(1.15, 1.6) if rng.random() < 0.5 else rng.uniform(0.7, 0.87)
        sw, sh = w / factor, h / factor
        sw, sh = min(sw, size), min(sh, size)
        cx, cy = x0 + w / 2, y0 + h / 2
        left = min(max(cx - sw / 2, 0), size - sw)
        top = min(max(cy - sh / 2, 0), size - sh)
        flt_name, flt = [("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC), ("lanczos", Image.LANCZOS)][int(rng.integers(3))]
        patch = orig.resize((w, h), flt, box=(left, top, left + sw, top + sh))
        out.paste(patch, (x0, y0), mask.crop(box))
        notes += f"; factor {w / sw:.3f} x {h / sh:.3f} ({flt_name})"
    elif kind == "blur":
        r = rng.uniform(1.5, 3.0)
        out.paste(orig.filter(ImageFilter.GaussianBlur(r)), (0, 0), mask)
        notes += f"; gaussian radius {r:.2f}"
    elif kind == "sharpen":
        r, pct, thr = rng.uniform(1.0, 3.0), int(rng.integers(80, 201)), int(rng.integers(0, 3))
        out.paste(orig.filter(ImageFilter.UnsharpMask(radius=r, percent=pct, threshold=thr)), (0, 0), mask)
        notes += f"; unsharp radius {r:.2f} {pct}% threshold {thr}"
    elif kind in ("dq_aligned", "dq_nonaligned"):
        q3 = pick_quality(rng, 50, 95, [q1, q2], 5)
        patch = jpeg_roundtrip(orig.crop(box), q3, sub1)
        out.paste(patch, (x0, y0), mask.crop(box))
        notes += f"; region grid offset ({x0 % 8},{y0 % 8}), Q3={q3}"
    else:
        raise ValueError(kind)
    return out, mask, q3, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--crops-colour", type=int, default=9, help="base crops per colour photo")
    ap.add_argument("--crops-gray", type=int, default=4, help="base crops per gray photo")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    out_dir = args.out_dir
    os.makedirs(os.path.join(out_dir, "images"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "masks"), exist_ok=True)

    sources = load_sources()
    split = split_groups(sources, rng)
    sources_by_split = defaultdict(list)
    for s in sources:
        sources_by_split[split[s[1]]].append(s)

    # Base crops, grouped by split so the round-robin of kinds balances within each split too.
    bases = []
    for sid, group, im, _ in sources:
        n = args.crops_gray if im.mode == "L" else args.crops_colour
        W, H = im.size
        size = min(CROP, (min(W, H) // 8) * 8)
        for k in range(n):
            x, y = int(rng.integers(0, W - size + 1)), int(rng.integers(0, H - size + 1))
            flip = bool(rng.random() < 0.5)
            bases.append({"source": sid, "group": group, "split": split[group], "image": im,
                          "box": (x, y, x + size, y + size), "flip": flip, "id": f"{sid}-{k:02d}"})
    bases.sort(key=lambda b: (b["split"], b["id"]))
    kind_order = [KINDS[i] for i in rng.permutation(len(KINDS))]

    rows = []
    counter = 0
    for b in bases:
        crop = b["image"].crop(b["box"])
        if b["flip"]:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        q1 = int(rng.integers(70, 99))
        sub1 = [0, 2][int(rng.integers(2))]
        common = {"split": b["split"], "source": b["source"], "q1": q1, "width": crop.size[0], "height": crop.size[1],
                  "group": b["group"], "base": b["id"], "sub1": SUB_NAMES[sub1] if crop.mode != "L" else "gray"}
        place = f"crop {b['box']}{' mirrored' if b['flip'] else ''}"
        orig_rel = f"images/{b['id']}-original.jpg"
        save_jpeg(crop, os.path.join(out_dir, orig_rel), q1, sub1)
        rows.append(dict(common, file=orig_rel, label=0, kind="original", q2="", mask="", q3="", sub2="", notes=place))
        decoded = Image.open(os.path.join(out_dir, orig_rel)).convert(crop.mode)

        q2 = pick_quality(rng, 70, 98, [q1], 1)
        sub2 = [0, 2][int(rng.integers(2))]
        rel = f"images/{b['id']}-resave.jpg"
        save_jpeg(decoded, os.path.join(out_dir, rel), q2, sub2)
        rows.append(dict(common, file=rel, label=0, kind="resave", q2=q2, mask="", q3="",
                         sub2=SUB_NAMES[sub2] if crop.mode != "L" else "gray", notes=place))

        for _ in range(2):
            kind = kind_order[counter % len(KINDS)]
            counter += 1
            q2 = pick_quality(rng, 70, 98, [q1], 1)
            sub2 = [0, 2][int(rng.integers(2))]
            img, mask, q3, notes = manipulate(kind, decoded, b, rng, sources_by_split, q1, sub1, q2)
            rel = f"images/{b['id']}-{kind}.jpg"
            mrel = f"masks/{b['id']}-{kind}.png"
            save_jpeg(img, os.path.join(out_dir, rel), q2, sub2)
            mask.save(os.path.join(out_dir, mrel))
            rows.append(dict(common, file=rel, label=1, kind=kind, q2=q2, mask=mrel, q3=q3,
                             sub2=SUB_NAMES[sub2] if crop.mode != "L" else "gray", notes=f"{place}; {notes}"))

    fields = ["file", "label", "kind", "split", "source", "q1", "q2", "mask", "q3", "sub1", "sub2", "width", "height",
              "group", "base", "notes"]
    with open(os.path.join(out_dir, "labels.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow(r)

    with open(os.path.join(out_dir, "set.json"), "w") as f:
        json.dump({"seed": args.seed, "crops_colour": args.crops_colour, "crops_gray": args.crops_gray,
                   "images": len(rows), "counts": {f"{k}/{sp}": c for (k, sp), c in sorted(Counter(
                       (r["kind"], r["split"]) for r in rows).items())}}, f, indent=1)
    photos = {sp: sorted({s[0] for s in sources_by_split[sp]}) for sp in ("train", "test")}
    print(f"Detect benchmark set (seed {args.seed}): {len(rows)} images from {len(bases)} crops of {len(sources)} photographs, "
          f"in {out_dir}")
    print("Split by source photo: no photograph (nor a splice donor) contributes to both train and test.")
    for sp in ("train", "test"):
        print(f"  {sp}: " + ", ".join(f"{p}{' (gray)' if dict((s[0], s[2].mode) for s in sources)[p] == 'L' else ''}"
                                     for p in photos[sp]))
    counts = Counter((r["kind"], r["split"]) for r in rows)
    print()
    print("| kind | label | train | test | all |")
    print("|---|---|---|---|---|")
    for kind in CONTROLS + KINDS:
        tr, te = counts[(kind, "train")], counts[(kind, "test")]
        print(f"| {kind} | {0 if kind in CONTROLS else 1} | {tr} | {te} | {tr + te} |")
    for lab, name in ((0, "controls"), (1, "manipulated")):
        tr = sum(1 for r in rows if r["label"] == lab and r["split"] == "train")
        te = sum(1 for r in rows if r["label"] == lab and r["split"] == "test")
        print(f"| **{name}** | {lab} | {tr} | {te} | {tr + te} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
