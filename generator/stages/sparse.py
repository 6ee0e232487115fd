"""Gathering chosen rows' entries out of a CSR matrix's arrays, shared by the stages that rank
terms within rows (themes' explanations) and candidates within rows (related papers)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Indices = npt.NDArray[np.intp]


def row_entries(indptr: npt.NDArray[np.integer], rows: Indices
                ) -> tuple[Indices, Indices, Indices]:
    """Every stored entry of the chosen rows, row after row, as three arrays: its row's
    position in `rows`, its place within that row, and its index into the matrix's `data`
    and `indices`. One vectorised pass: slicing rows one by one out of a sparse matrix costs
    more than the work done on them."""
    lengths = np.diff(indptr)[rows]
    owner = np.repeat(np.arange(len(rows)), lengths)
    slot = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    entries = np.repeat(indptr[rows], lengths) + slot
    return owner, slot, entries
