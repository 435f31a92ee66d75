"""Trust Builder's store icons, drawn here (no image library): two overlapping rings on a deep teal tile.
Pure Python PNG writing (zlib + CRC), deterministic, so the committed PNGs can be checked byte for byte."""
import math
from functools import lru_cache
import struct
import zlib

BACKGROUND = (22, 94, 99)      # deep teal
LEFT_RING = (255, 196, 107)    # warm amber
RIGHT_RING = (250, 246, 238)   # soft white
SIZES = {"smallIconUri": 108, "largeIconUri": 512}
SAMPLES = 3  # supersampling per axis, for smooth edges


@lru_cache(maxsize=4)
def draw(size: int) -> bytes:
    """The icon as PNG bytes, `size` x `size`, RGB."""
    rows = []
    ring_radius, ring_width = 0.24 * size, 0.07 * size
    centres = ((0.39 * size, 0.5 * size, LEFT_RING), (0.61 * size, 0.5 * size, RIGHT_RING))
    corner = 0.18 * size
    for y in range(size):
        row = bytearray(b"\x00")  # filter type 0
        for x in range(size):
            rgb = [0.0, 0.0, 0.0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    px, py = x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES
                    colour = _colour(px, py, size, corner, centres, ring_radius, ring_width)
                    for i in range(3):
                        rgb[i] += colour[i]
            row += bytes(round(c / SAMPLES ** 2) for c in rgb)
        rows.append(bytes(row))
    return _png(size, size, b"".join(rows))


def _colour(px, py, size, corner, centres, radius, width):
    """The colour at one point: rounded-square tile, then the rings (the right ring passes over the left
    on the top half and under it on the bottom half, so they read as linked)."""
    if not _inside_rounded_square(px, py, size, corner):
        return (255, 255, 255)
    on = [abs(math.hypot(px - cx, py - cy) - radius) <= width / 2 for cx, cy, _ in centres]
    if on[0] and on[1]:
        return centres[1][2] if py < size / 2 else centres[0][2]
    for hit, (_, _, colour) in zip(on, centres):
        if hit:
            return colour
    return BACKGROUND


def _inside_rounded_square(px, py, size, corner):
    dx = max(corner - px, 0, px - (size - corner))
    dy = max(corner - py, 0, py - (size - corner))
    return dx * dx + dy * dy <= corner * corner


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))
