"""Make executed outputs reproducible (no volatile metadata, no PNG text chunks) and pull out images."""

from __future__ import annotations

import base64
import hashlib
import re
import struct

from nbformat import NotebookNode

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary chunks that carry software versions, dates or free text: none of them affect pixels.
_PNG_VOLATILE_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
IMAGE_CAP_FACTOR = 20  # images: 20 × the text cap of encoded data per cell (2 MB at the default cap)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def strip_png_metadata(data: bytes) -> bytes:
    """The PNG without text/time chunks; anything that is not a well-formed PNG comes back as is."""
    if not data.startswith(_PNG_SIGNATURE):
        return data
    out, pos = [_PNG_SIGNATURE], len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        end = pos + 12 + length
        if end > len(data):
            return data
        if data[pos + 4 : pos + 8] not in _PNG_VOLATILE_CHUNKS:
            out.append(data[pos:end])
        pos = end
    return b"".join(out) if pos == len(data) else data


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def normalise(nb: NotebookNode) -> None:
    """Remove what differs between two runs of the same code (in place)."""
    for key in ("widgets", "papermill", "execution"):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            out.pop("transient", None)
            data = out.get("data", {})
            if "image/png" in data:
                raw = base64.b64decode(_joined(data["image/png"]))
                data["image/png"] = base64.b64encode(strip_png_metadata(raw)).decode("ascii")


def extract_images(nb: NotebookNode, stem: str) -> list[tuple[int, int, str, bytes]]:
    """(code cell ordinal, output index, file name, bytes) for every image output.

    Names use the code-cell ordinal, not the cell index, so markdown edits do not rename files; the
    content hash keeps browsers from showing a stale figure after the code changed.
    """
    found = []
    ordinal = -1
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        ordinal += 1
        for k, out in enumerate(cell.get("outputs", [])):
            data = out.get("data", {})
            for mime, ext in _IMAGE_TYPES.items():
                if mime in data:
                    value = _joined(data[mime])
                    raw = value.encode("utf-8") if ext == "svg" else base64.b64decode(value)
                    digest = hashlib.sha256(raw).hexdigest()[:8]
                    found.append((ordinal, k, f"{stem}-c{ordinal + 1:02d}-o{k}-{digest}.{ext}", raw))
                    break
    return found


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def cap_outputs(nb: NotebookNode, cap: int, dropped: dict[int, int] | None = None) -> dict[int, int]:
    """Keep at most `cap` characters of output per code cell (in place); {cell index: characters the cell
    printed} for each cell cut. `dropped`: characters per cell already left out while it ran.

    What is over the cap is replaced by one visible line, so a cell that prints 100 MB cannot publish a
    100 MB page and download. Images are published as files, not inlined in pages, so they have their own
    budget (IMAGE_CAP_FACTOR × cap characters of encoded data per cell, enough for a few sharp plots) and
    are dropped whole when over it.
    """
    cut: dict[int, int] = {}
    dropped = dropped or {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.get("outputs"):
            continue
        budget, image_budget, kept, over = cap, IMAGE_CAP_FACTOR * cap, [], dropped.get(index, 0)
        printed = over + sum(_size(out) for out in cell.outputs)
        for out in cell.outputs:
            size = _size(out)
            if _is_image(out):
                if size <= image_budget:
                    kept.append(out)
                    image_budget -= size
                else:
                    over += size
            elif size <= budget:
                kept.append(out)
                budget -= size
            elif out.get("output_type") == "stream" and budget > 0:
                text = _joined(out.get("text", ""))
                out["text"] = text[:budget]
                kept.append(out)
                over += len(text) - budget
                budget = 0
            else:
                over += size
        if over:
            note = f"\n… output truncated: {over:,} more characters (the site keeps {cap:,} per cell)\n"
            kept.append(NotebookNode(output_type="stream", name="stdout", text=note))
            cell.outputs = kept
            cut[index] = printed
    return cut


def coalesce_streams(nb: NotebookNode) -> None:
    """Merge each code cell's stream outputs by name and apply `\\r` as a terminal would (in
    place): what nbclient's `coalesce_streams=True` does, in linear time. nbclient's regex
    (`.*\\r(?=[^\\n])`) and its repeated `+=` are quadratic: a 300,000-character line took 56 s."""
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.get("outputs"):
            continue
        merged: list = []
        parts: dict[str, list[str]] = {}
        for out in cell.outputs:
            if out.get("output_type") != "stream":
                merged.append(out)
            elif out["name"] in parts:
                parts[out["name"]].append(_joined(out.get("text", "")))
            else:
                parts[out["name"]] = [_joined(out.get("text", ""))]
                merged.append(out)
        for out in merged:
            if out.get("output_type") == "stream" and out["name"] in parts:
                out["text"] = terminal_text("".join(parts.pop(out["name"])))
        for i, out in enumerate(merged[:-1]):  # stdout before stderr when they arrive together (as nbclient)
            after = merged[i + 1]
            if _stream(out) == "stderr" and _stream(after) == "stdout":
                merged.insert(i, merged.pop(i + 1))
        cell.outputs = merged


def _stream(out) -> str | None:
    return out.get("name") if out.get("output_type") == "stream" else None


def terminal_text(text: str) -> str:
    """Within a line, a carriage return followed by more text discards what came before it (a progress
    bar shows its last state). The same result as nbclient's `.*\\r(?=[^\\n])` substitution, in O(n).
    (nbclient's backspace pass never runs: its loop condition is false on entry, so neither does ours.)"""
    if "\r" not in text:
        return text
    return "\n".join(line[line.rfind("\r", 0, len(line) - 1) + 1 :] for line in text.split("\n"))


def _is_image(out) -> bool:
    return any(mime in out.get("data", {}) for mime in _IMAGE_TYPES)


def _size(out) -> int:
    if out.get("output_type") == "stream":
        return len(_joined(out.get("text", "")))
    if out.get("output_type") == "error":
        return sum(len(line) for line in out.get("traceback", [])) + len(str(out.get("evalue", "")))
    return sum(len(_joined(v)) if isinstance(v, (str, list)) else len(str(v)) for v in out.get("data", {}).values())
