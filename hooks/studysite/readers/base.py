"""Kept for callers that import the reader records from here: they live next to the model now."""

from __future__ import annotations

from ..model import RawQuestion, ReadReport

__all__ = ["RawQuestion", "ReadReport"]
