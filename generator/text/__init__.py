"""Text helpers the stages share: inline TeX, safe HTML from untrusted text, the one safe YAML
loader, files replaced atomically."""
