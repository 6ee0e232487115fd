"""Pages -> the output folder: written into a standby copy beside it and swapped in at once,
so a reader or a killed build sees one whole site; the search index is made alongside."""
