"""Render every character of U+4E00-U+9FFF as a 32x32 bitmap: corpora/shapes/glyphs-32.npz.

    python corpora/shapes/render_glyphs.py [--font PATH]

The font is Noto Sans CJK SC Regular (Debian fonts-noto-cjk 1:20220127+repack1-1,
NotoSansCJK-Regular.ttc, face 2; SIL OFL 1.1, LICENSE.noto-cjk). Only the rendered bitmaps are
kept, not the font. dictionaries/typos/build_idioms.py reads them at build time to pair characters
whose glyphs overlap (面/而, 己/已). Needs Pillow (build time only).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE_SC = 2  # the .ttc's faces: JP, KR, SC, TC, HK
SIZE, POINTS = 32, 30
FIRST, LAST = 0x4E00, 0x9FFF


def main() -> None:
    from PIL import Image, ImageDraw, ImageFont

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--font", type=Path, default=FONT)
    args = parser.parse_args()
    font = ImageFont.truetype(str(args.font), POINTS, index=FACE_SC)
    bitmaps = []
    for code in range(FIRST, LAST + 1):
        image = Image.new("L", (SIZE, SIZE), 0)
        ImageDraw.Draw(image).text((1, -7), chr(code), fill=255, font=font)
        bitmaps.append(np.packbits(np.asarray(image) > 100))
    out = HERE / "glyphs-32.npz"
    np.savez_compressed(out, first=np.array(FIRST), size=np.array(SIZE), bits=np.stack(bitmaps))
    print(f"wrote {out} ({LAST - FIRST + 1} characters)")


if __name__ == "__main__":
    main()
