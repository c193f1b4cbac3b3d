#!/usr/bin/env python3
"""Writes the app's built-in examples (www/examples/*.png) from the Fashion-MNIST *test* set of
Debian's dataset-fashion-mnist package: the first test image of a few classes, 28×28 grey, as
the dataset stores them (light garment on black); and a sample of the test set for "what each
code means" (www/examples/fashion-test-sample.png: the first 256 test images, 16 × 16 tiles of
28×28). Standard library only (no PIL).

    python3 scripts/make-examples.py
"""
import gzip
import json
import struct
import zlib
from pathlib import Path

DATA = Path("/usr/share/datasets/fashion-mnist")
OUT = Path(__file__).resolve().parent.parent / "www" / "examples"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# (file name, class index): the first test image of each.
WANTED = [("ankle-boot", 9), ("trouser", 1), ("pullover", 2), ("bag", 8)]


def png_grey(pixels: bytes, width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main() -> None:
    images = gzip.open(DATA / "t10k-images-idx3-ubyte.gz").read()
    labels = gzip.open(DATA / "t10k-labels-idx1-ubyte.gz").read()
    count, rows, cols = struct.unpack(">III", images[4:16])
    OUT.mkdir(parents=True, exist_ok=True)
    listing = []
    for name, wanted in WANTED:
        index = next(i for i in range(count) if labels[8 + i] == wanted)
        start = 16 + index * rows * cols
        pixels = images[start:start + rows * cols]
        (OUT / f"{name}.png").write_bytes(png_grey(pixels, cols, rows))
        listing.append({"file": f"{name}.png", "label": CLASSES[wanted], "test_index": index})
        print(f"{name}.png: test image {index}, {CLASSES[wanted]}")
    (OUT / "examples.json").write_text(json.dumps(listing, indent=2) + "\n")
    write_sample(images, rows, cols)


# The held-out sample: SAMPLE_SIDE × SAMPLE_SIDE test images in one grey PNG, row-major.
SAMPLE_SIDE = 16


def write_sample(images: bytes, rows: int, cols: int) -> None:
    width, height = SAMPLE_SIDE * cols, SAMPLE_SIDE * rows
    sheet = bytearray(width * height)
    for index in range(SAMPLE_SIDE * SAMPLE_SIDE):
        start = 16 + index * rows * cols
        top, left = (index // SAMPLE_SIDE) * rows, (index % SAMPLE_SIDE) * cols
        for y in range(rows):
            row = images[start + y * cols:start + (y + 1) * cols]
            sheet[(top + y) * width + left:(top + y) * width + left + cols] = row
    (OUT / "fashion-test-sample.png").write_bytes(png_grey(bytes(sheet), width, height))
    print(f"fashion-test-sample.png: test images 0–{SAMPLE_SIDE * SAMPLE_SIDE - 1}, {width}×{height}")


if __name__ == "__main__":
    main()
