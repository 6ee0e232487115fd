"""digest: turn collected paper listings into a static, weekly literature digest."""

__version__ = "0.1.0"
