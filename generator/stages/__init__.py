"""The pipeline's stages, in order: read -> merge -> enrich -> themes -> related / map layout ->
weeks -> digest. Each is a plain function of its inputs (frozen dataclasses in, frozen
dataclasses out); none reads the cache, forks a worker or writes the site: pipeline.py calls
them, and speed/ wraps them where a build can reuse or parallelise their work."""
