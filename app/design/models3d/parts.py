"""Building blocks for the procedural models: surface patches with their own normals and UVs.

Each part keeps its own vertices, so creases between parts (a mug's rim, a frame's edges) stay
sharp while a part's own surface is smooth. ``join`` winds every triangle to face the way its
vertex normals point, so a part's parameter order can never turn a face inside out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from app.design.models3d.spec import FloatArray, IntArray, MeshData, UVRect


@dataclass(frozen=True)
class Part:
    vertices: FloatArray
    faces: IntArray
    normals: FloatArray
    uv: FloatArray


def unit(vectors: FloatArray) -> FloatArray:
    length = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.where(length == 0, 1, length), dtype=np.float64)


def grid(points: FloatArray, uv: FloatArray, normals: FloatArray | None = None) -> Part:
    """A quad-meshed patch from a (nu, nv, 3) grid of points and its (nu, nv, 2) UVs.

    Without ``normals`` they come from the surface itself (du x dv), so a patch parametrized
    left to right and bottom to top as seen from outside faces outwards.
    """
    nu, nv = points.shape[:2]
    if normals is None:
        du = np.gradient(points, axis=0)
        dv = np.gradient(points, axis=1)
        normals = unit(np.cross(du, dv))
    index = np.arange(nu * nv).reshape(nu, nv)
    a, b = index[:-1, :-1].ravel(), index[1:, :-1].ravel()
    c, d = index[1:, 1:].ravel(), index[:-1, 1:].ravel()
    faces = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)])
    return Part(
        points.reshape(-1, 3).astype(np.float64),
        faces.astype(np.int64),
        np.broadcast_to(normals, points.shape).reshape(-1, 3).astype(np.float64),
        uv.reshape(-1, 2).astype(np.float64),
    )


def fan(center: FloatArray, ring: FloatArray, normal: FloatArray, uv: UVRect | FloatArray) -> Part:
    """A flat convex polygon (a disc, a rounded rectangle) as a triangle fan from its centre.

    ``uv``: the (1 + len(ring), 2) coordinates, or a rectangle that the polygon's bounding box is
    projected into.
    """
    vertices = np.vstack([center, ring]).astype(np.float64)
    count = len(ring)
    faces = np.stack(
        [np.zeros(count, np.int64), 1 + np.arange(count), 1 + (np.arange(count) + 1) % count], 1
    )
    coords = uv.map(_planar(vertices)) if isinstance(uv, UVRect) else np.asarray(uv, np.float64)
    return Part(vertices, faces, np.tile(unit(normal), (count + 1, 1)), coords)


def quad(corners: FloatArray, normal: FloatArray, rect: UVRect) -> Part:
    """Four corners in order bottom-left, bottom-right, top-right, top-left; UVs fill ``rect``."""
    uv = rect.map(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]))
    faces = np.array([[0, 1, 2], [0, 2, 3]], np.int64)
    return Part(np.asarray(corners, np.float64), faces, np.tile(unit(normal), (4, 1)), uv)


def box(low: FloatArray, high: FloatArray, rect: UVRect) -> list[Part]:
    """An axis-aligned box as six flat faces (a frame's moulding, a backing board)."""
    x0, y0, z0 = low
    x1, y1, z1 = high
    corners = {
        (0, 0, 1): [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)],
        (0, 0, -1): [(x1, y0, z0), (x0, y0, z0), (x0, y1, z0), (x1, y1, z0)],
        (1, 0, 0): [(x1, y0, z1), (x1, y0, z0), (x1, y1, z0), (x1, y1, z1)],
        (-1, 0, 0): [(x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)],
        (0, 1, 0): [(x0, y1, z1), (x1, y1, z1), (x1, y1, z0), (x0, y1, z0)],
        (0, -1, 0): [(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)],
    }
    return [
        quad(np.array(c, np.float64), np.array(n, np.float64), rect) for n, c in corners.items()
    ]


def join(parts: Iterable[Part]) -> MeshData:
    """One mesh from parts: degenerate triangles dropped, every triangle wound to its normals."""
    vertices, faces, normals, uvs, offset = [], [], [], [], 0
    for part in parts:
        vertices.append(part.vertices)
        faces.append(part.faces + offset)
        normals.append(part.normals)
        uvs.append(part.uv)
        offset += len(part.vertices)
    v, f, n = np.vstack(vertices), np.vstack(faces), unit(np.vstack(normals))
    geometric = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    area = np.linalg.norm(geometric, axis=1)
    keep = area > 1e-14
    f, geometric = f[keep], geometric[keep]
    flip = np.einsum("ij,ij->i", geometric, n[f].sum(axis=1)) < 0
    f[flip] = f[flip][:, ::-1]
    mesh = MeshData(v, f, n, np.vstack(uvs))
    for array in (mesh.vertices, mesh.faces, mesh.normals, mesh.uv):
        array.flags.writeable = False  # shared by every render of the model: read-only
    return mesh


def _planar(points: FloatArray) -> FloatArray:
    """XY bounding-box coordinates in [0, 1] (the polygon seen along its normal's axis)."""
    axes = np.argsort(np.ptp(points, axis=0))[::-1][:2]
    flat = points[:, np.sort(axes)]
    low, span = flat.min(axis=0), np.ptp(flat, axis=0)
    return np.asarray((flat - low) / np.where(span == 0, 1, span), dtype=np.float64)
