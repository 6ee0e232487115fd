"""The one family of errors the core raises; the CLI turns them into clean messages."""

from __future__ import annotations


class GeneratorError(Exception):
    """Base class: anything a user can fix, with a message that says what and where."""


class ConfigError(GeneratorError):
    """A configuration file (digest.yaml, sources.yaml, themes.yaml) is missing or invalid."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class SourceError(GeneratorError):
    """A listing dump cannot be read; the message names the file and line."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path}:{line}: {reason}")

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, int, str]]:
        """Pickled with its three fields: the cache keeps a dump's problems with its parse
        (an exception pickles its message alone, which this constructor cannot take)."""
        return type(self), (self.path, self.line, self.reason)


class SourceProblems(GeneratorError):
    """Problems in the dumps that stop a build (any of them under --strict, or no paper read)."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class IngestError(GeneratorError):
    """A dump cannot be ingested; content/ was left unchanged."""


class BuildError(GeneratorError):
    """Rendering or writing the site failed; the previous site is left as it was."""


def write_failure(err: OSError) -> BuildError:
    """The one clear error for a write the system refused (a full disk, a read-only or
    foreign folder): what could not be written and why, without a traceback."""
    where = f"{err.filename}: " if err.filename else ""
    return BuildError(f"could not write the site: {where}{err.strerror or err}; the previous "
                      "site is left as it was")


class FetchError(GeneratorError):
    """A service could not be asked or answered badly; content/ was left unchanged."""
