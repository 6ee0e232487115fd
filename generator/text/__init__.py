"""Text helpers the stages share: inline TeX, safe HTML from untrusted text, links found in
abstracts, the one safe YAML loader, files replaced atomically."""
