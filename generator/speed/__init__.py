"""What makes builds fast, kept apart from the stages: the sealed on-disk store of stage
results (store.py), the cached read and merge (cached_read.py), the build skipped when
nothing changed (skip.py), the last build's unchanged pages kept (kept_pages.py), and worker
processes that run whole stages side by side (workers.py)."""
