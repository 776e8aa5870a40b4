"""Where a sync target's package goes: a folder on this server, or an SFTP server.

Both write the package under a temporary name beside its final one, with mode 600, and rename
it into place, so a learning system polling the folder never picks up half a file. SFTP
authenticates with the key file ``TUTELA_SYNC_SSH_KEY`` (never a password) and pins the
server's host key the first time: a server that later shows another key may be an impostor
and gets nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from tutela.core.private import PRIVATE_FILE, private_directory

SFTP_URL = re.compile(
    r"sftp://(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])"
    r"(?::(?P<port>\d{1,5}))?(?P<path>/[^\s]*)"
)
DEFAULT_PORT = 22
CONNECT_SECONDS = 30


class DeliveryError(Exception):
    """A package could not be delivered: the message says where and why, with no secret.

    ``retry`` says whether trying again may help (a server down, a share not mounted): a
    changed host key, a missing or refused key is not retried, since only a person can fix it.
    """

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class Sftp:
    """An SFTP destination: ``sftp://USER@HOST[:PORT]/DIR``."""

    user: str
    host: str
    port: int
    directory: str

    def __str__(self) -> str:
        port = "" if self.port == DEFAULT_PORT else f":{self.port}"
        return f"sftp://{self.user}@{self.host}{port}{self.directory}"


def parse_destination(value: str) -> Path | Sftp:
    """A folder (an absolute path) or an SFTP address; ``ValueError`` says what is wrong."""
    text = value.strip()
    if text.startswith("sftp://"):
        match = SFTP_URL.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not an SFTP address like sftp://USER@HOST[:PORT]/DIR")
        port = int(match["port"] or DEFAULT_PORT)
        if not 1 <= port <= 65535:
            raise ValueError(f"{text!r}: the port must be between 1 and 65535")
        return Sftp(match["user"], match["host"].strip("[]"), port, match["path"])
    if "://" in text:
        raise ValueError(f"{text!r}: only a folder or an sftp:// address can receive packages")
    if not text.startswith("/"):
        raise ValueError(f"{text!r}: a folder must be an absolute path (starting with /)")
    return Path(text)


def deliver_to_folder(package: Path, folder: Path, name: str) -> None:
    """Copy ``package`` into ``folder`` as ``name``, atomically and with mode 600. A missing
    folder is made (mode 700) when its parent exists; a missing parent may be a share not
    mounted yet, and nothing is written under its mount point."""
    if not folder.is_dir():
        if not folder.parent.is_dir():
            raise DeliveryError(f"the folder {folder} does not exist, nor its parent")
        try:
            private_directory(folder)
        except OSError as error:
            raise DeliveryError(f"could not make the folder {folder}: {error.strerror}") from None
    partial = folder / f".{name}.partial"
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(descriptor, PRIVATE_FILE)
        with os.fdopen(descriptor, "wb") as out, package.open("rb") as source:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(folder / name)
    except OSError as error:
        raise DeliveryError(f"could not write to the folder {folder}: {error.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)


def host_key_text(key: Any) -> str:
    """A host key as OpenSSH's ``known_hosts`` writes it: ``TYPE BASE64``."""
    return f"{key.get_name()} {key.get_base64()}"


def _private_key() -> Any:
    import paramiko

    path = str(settings.TUTELA_SYNC_SSH_KEY)
    if not path:
        raise DeliveryError(
            "TUTELA_SYNC_SSH_KEY is not set: SFTP delivery needs a private key file", retry=False
        )
    try:
        return paramiko.PKey.from_path(path)
    except FileNotFoundError:
        raise DeliveryError(f"TUTELA_SYNC_SSH_KEY {path}: no such file", retry=False) from None
    except (OSError, paramiko.SSHException, ValueError) as error:
        raise DeliveryError(
            f"TUTELA_SYNC_SSH_KEY {path}: not a usable private key ({error})", retry=False
        ) from None


def deliver_to_sftp(package: Path, where: Sftp, name: str, *, pinned: str) -> str:
    """Upload ``package`` to ``where`` as ``name`` and return the server's host key.

    ``pinned`` is the key seen before ("" the first time); another one refuses the delivery
    before anything is sent.
    """
    import paramiko

    key = _private_key()
    try:
        sock = socket.create_connection((where.host, where.port), timeout=CONNECT_SECONDS)
    except OSError as error:
        raise DeliveryError(
            f"cannot reach {where.host}:{where.port}: {error.strerror or error}"
        ) from None
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=CONNECT_SECONDS)
        seen = host_key_text(transport.get_remote_server_key())
        if pinned and seen != pinned:
            raise DeliveryError(
                f"the host key of {where.host}:{where.port} changed since it was pinned "
                f"(now {seen.split()[0]}): refusing to deliver. If the server's key really "
                "changed, clear the target's pinned host key.",
                retry=False,
            )
        try:
            transport.auth_publickey(where.user, key)
        except paramiko.AuthenticationException:
            raise DeliveryError(
                f"{where.user}@{where.host} refused the key of TUTELA_SYNC_SSH_KEY", retry=False
            ) from None
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        directory = where.directory.rstrip("/") or "/"
        final = f"{directory.rstrip('/')}/{name}"
        partial = f"{directory.rstrip('/')}/.{name}.partial"
        try:
            with package.open("rb") as source, sftp.open(partial, "wb") as remote:
                remote.chmod(PRIVATE_FILE)
                remote.set_pipelined(True)
                shutil.copyfileobj(source, remote, 32_768)
            sftp.posix_rename(partial, final)
        except OSError as error:
            with contextlib.suppress(OSError):
                sftp.remove(partial)
            raise DeliveryError(
                f"could not write {final} on {where.host}: {error.strerror or error}"
            ) from None
        return seen
    except paramiko.SSHException as error:
        raise DeliveryError(f"SFTP to {where.host}:{where.port} failed: {error}") from None
    finally:
        transport.close()
