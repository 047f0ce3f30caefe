"""User keys for the query log: a salted hash of the user id unless raw ids are asked for."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SALT_FILE = "querylog.salt"
# 64 bits tell users apart in any realistic log, and say nothing without the salt
KEY_HEX_CHARS = 16


@dataclass(frozen=True)
class UserKeys:
    """Turns a user id into what the log stores; ``salt`` None means raw ids (opt-in)."""

    salt: bytes | None = field(repr=False)

    @property
    def hashed(self) -> bool:
        return self.salt is not None

    def key(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if self.salt is None:
            return str(user_id)
        digest = hmac.new(self.salt, str(user_id).encode(), hashlib.sha256).hexdigest()
        return digest[:KEY_HEX_CHARS]


def load_salt(
    data_dir: Path, configured: str = "", warn: Callable[[str], None] | None = None
) -> bytes:
    """The configured salt, else the one kept in ``data_dir`` (created once, mode 0600).

    When the folder cannot hold it, a salt for this run only: keys stay hashed, but cannot
    be linked to other runs. Raw ids are never the fallback.
    """
    if configured:
        return configured.encode()
    path = data_dir / SALT_FILE
    try:
        return _read_or_create(path)
    except OSError as exc:
        if warn:
            warn(
                f"query log: cannot keep a salt in {path} ({exc.strerror or exc}); "
                "user keys of this run cannot be linked to other runs"
            )
        return secrets.token_hex(32).encode()


def _read_or_create(path: Path) -> bytes:
    with contextlib.suppress(FileNotFoundError):
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # write a private temporary file, then link it into place: a concurrent process either
    # wins the link (we read its salt) or we win; nobody ever reads a half-written salt
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    salt = path.read_text(encoding="ascii").strip()
    if not salt:
        raise OSError(f"{path} is empty")
    if path.stat().st_mode & 0o077:
        with contextlib.suppress(OSError):
            path.chmod(0o600)  # a secret: keep it private even if someone loosened it
    return salt.encode()


def user_keys(
    mode: str, data_dir: Path, configured_salt: str = "", warn: Callable[[str], None] | None = None
) -> UserKeys:
    """``mode`` is MARJAA_LOG_USER_IDS: "hashed" (default) or "raw"."""
    if mode == "raw":
        return UserKeys(None)
    return UserKeys(load_salt(data_dir, configured_salt, warn))
