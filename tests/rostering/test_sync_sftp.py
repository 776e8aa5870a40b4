"""Sync targets delivering to a real OpenSSH SFTP server (Debian's openssh-server, installed by
``scripts/ensure-sshd``), started here on a free local port with its own configuration, host
key and authorized_keys, as the current user: key authentication, the host key pinned on the
first delivery and a changed one refused."""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

from tests.cast import Cast
from tests.web.conftest import free_port, wait_for_port
from tutela.core.audit import command_line_user
from tutela.rostering.models import SyncFormat, SyncTarget
from tutela.rostering.services import TargetSettings, add_target, run_target

pytestmark = pytest.mark.django_db

SSHD = os.environ.get("TUTELA_SSHD", "/usr/sbin/sshd")
KEYGEN = "/usr/bin/ssh-keygen"

CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
AuthorizedKeysFile {tmp}/authorized_keys
PidFile {tmp}/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
Subsystem sftp internal-sftp
LogLevel ERROR
"""


@dataclass
class SshServer:
    port: int
    tmp: Path
    user: str

    def url(self, folder: Path) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.port}{folder}"


def keygen(path: Path) -> Path:
    subprocess.run(
        [KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=60
    )
    return path


@pytest.fixture
def sshd_binary() -> str:
    if not (os.path.exists(SSHD) and shutil.which(SSHD) and os.path.exists(KEYGEN)):
        message = f"{SSHD} is missing: run scripts/ensure-sshd"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if os.geteuid() == 0:
        # sshd started by root insists on its privilege-separation folder (a compiled-in path).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    return SSHD


@contextmanager
def sshd(binary: str, tmp: Path, host_key: Path, port: int) -> Iterator[None]:
    config = tmp / f"sshd_config_{host_key.name}"
    config.write_text(CONFIG.format(port=port, host_key=host_key, tmp=tmp))
    process = subprocess.Popen(
        [binary, "-D", "-e", "-f", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def client_key(tmp_path: Path) -> Path:
    key = keygen(tmp_path / "client_key")
    (tmp_path / "authorized_keys").write_text(Path(f"{key}.pub").read_text())
    return key


def target_to(folder_url: str, name: str = "lms") -> SyncTarget:
    return add_target(
        actor=command_line_user(),
        name=name,
        chosen=TargetSettings(format=SyncFormat.SCHOOLOGY, destination=folder_url),
    )


def test_a_target_delivers_to_an_sftp_server_and_pins_its_host_key(
    cast: Cast, sshd_binary: str, client_key: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    server = SshServer(free_port(), tmp_path, getpass.getuser())
    host_key = keygen(tmp_path / "host_key")
    target = target_to(server.url(inbox))
    with (
        override_settings(TUTELA_SYNC_SSH_KEY=str(client_key), TUTELA_SYNC_RETRY_SECONDS=0),
        sshd(sshd_binary, tmp_path, host_key, server.port),
    ):
        delivery = run_target(actor=command_line_user(), target=target)
    assert delivery.succeeded, delivery.error
    [delivered] = inbox.iterdir()
    assert delivered.name == delivery.file_name
    assert stat.S_IMODE(delivered.stat().st_mode) == 0o600
    assert hashlib.sha256(delivered.read_bytes()).hexdigest() == delivery.sha256
    with zipfile.ZipFile(delivered) as archive:
        assert set(archive.namelist()) == {"parents.csv", "parent_associations.csv"}
    public = Path(f"{host_key}.pub").read_text().split()
    delivery.target.refresh_from_db()
    assert delivery.target.host_key == f"{public[0]} {public[1]}"


def test_a_changed_host_key_is_refused_and_nothing_is_sent(
    cast: Cast, sshd_binary: str, client_key: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    server = SshServer(free_port(), tmp_path, getpass.getuser())
    target = target_to(server.url(inbox))
    with override_settings(TUTELA_SYNC_SSH_KEY=str(client_key), TUTELA_SYNC_RETRY_SECONDS=0):
        with sshd(sshd_binary, tmp_path, keygen(tmp_path / "first_key"), server.port):
            assert run_target(actor=command_line_user(), target=target).succeeded
        [first] = inbox.iterdir()
        first.unlink()
        # Another machine answering at the same address: another host key.
        with sshd(sshd_binary, tmp_path, keygen(tmp_path / "other_key"), server.port):
            refused = run_target(actor=command_line_user(), target=target, attempts=3)
    assert not refused.succeeded
    assert refused.attempt == 1  # not tried again: only a person can settle it
    assert "host key of 127.0.0.1" in refused.error and "changed" in refused.error
    assert list(inbox.iterdir()) == []


def test_a_key_the_server_does_not_know_fails_the_delivery_clearly(
    cast: Cast, sshd_binary: str, client_key: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    server = SshServer(free_port(), tmp_path, getpass.getuser())
    stranger = keygen(tmp_path / "stranger_key")
    target = target_to(server.url(inbox))
    with (
        override_settings(TUTELA_SYNC_SSH_KEY=str(stranger), TUTELA_SYNC_RETRY_SECONDS=0),
        sshd(sshd_binary, tmp_path, keygen(tmp_path / "host_key"), server.port),
    ):
        delivery = run_target(actor=command_line_user(), target=target, attempts=1)
    assert not delivery.succeeded
    assert "refused the key of TUTELA_SYNC_SSH_KEY" in delivery.error
    assert list(inbox.iterdir()) == []


def test_an_unreachable_server_is_tried_again_then_reported(
    cast: Cast, sshd_binary: str, client_key: Path, tmp_path: Path
) -> None:
    target = target_to(f"sftp://{getpass.getuser()}@127.0.0.1:{free_port()}/inbox")
    with override_settings(TUTELA_SYNC_SSH_KEY=str(client_key), TUTELA_SYNC_RETRY_SECONDS=0):
        delivery = run_target(actor=command_line_user(), target=target, attempts=2)
    assert not delivery.succeeded and delivery.attempt == 2
    assert "cannot reach 127.0.0.1:" in delivery.error
    target.refresh_from_db()
    assert target.host_key == ""  # nothing seen, nothing pinned
