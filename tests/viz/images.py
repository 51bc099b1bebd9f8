"""Checks that a written PNG is a real picture."""

import numpy as np


def assert_png(path, min_bytes=8000):
    """The file is a PNG of at least 200 x 200 pixels that is not blank."""
    from PIL import Image

    assert path.exists() and path.stat().st_size > min_bytes
    pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert pixels.std() > 5  # not blank
