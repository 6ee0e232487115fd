"""The network side of a digest, run by the user (or a scheduled workflow), never by a build.

- settings.py: the `fetch:` section of digest.yaml, validated with the rest of the config;
- http.py: the one policy for every request (User-Agent, pause, retries, cache of answers);
- services.py: what arXiv and Hugging Face are asked, and which part of an answer is a dump;
- collect.py: `digest fetch`, which adds the answers with new papers as `digest ingest` does;
- enrich.py: `digest enrich`, which looks titles up and writes content/enrich.yaml.
"""
