"""The production layout for tests: the shipped nginx configuration, rendered for a temporary prefix, in
front of a real `platform serve`, with a self-signed certificate made here."""
from __future__ import annotations

import datetime
import ipaddress
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import requests

from tests.sync.slow_clients import free_port

SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "onewindow-platform.conf"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, which is its own CA (the terminal trusts it with --ca)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "onewindow test platform")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "platform.crt", directory / "platform.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


UPSTREAMS = ("onewindow_platform", "onewindow_uploads")
UPSTREAM_BLOCK = re.compile(r"^upstream (\w+) \{\n(.*?)^\}", re.M | re.S)
SERVER_LINE = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n", re.M)
ACCESS_FORMAT = "'$request_method|$uri|$status|$upstream_addr|$upstream_status'"


def render(prefix: Path, listen_port: int, upstream_ports: int | list[int], cert: Path, key: Path,
           access_log: bool = False) -> Path:
    """The shipped file with only its ports, instances and certificate paths changed, inside a minimal main
    configuration. Each upstream block gets one `server` line per port, with the options the shipped lines
    carry; `access_log` writes `<prefix>/access.log` (method, path, status, the instance that answered)."""
    ports = [upstream_ports] if isinstance(upstream_ports, int) else list(upstream_ports)
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{listen_port} ssl;"),
                     ("/etc/ssl/onewindow/platform.crt", str(cert)),
                     ("/etc/ssl/onewindow/platform.key", str(key))):
        assert text.count(old) == 1, f"the shipped configuration no longer has {old!r} once"
        text = text.replace(old, new)

    def instances(block: re.Match[str]) -> str:
        lines = list(SERVER_LINE.finditer(block.group(2)))
        assert lines, f"upstream {block.group(1)} of the shipped configuration names no instance"
        indent, options = lines[0].group(1), lines[0].group(2) or ""
        servers = "".join(f"{indent}server 127.0.0.1:{port}{options};\n" for port in ports)
        body = SERVER_LINE.sub("", block.group(2))
        first = lines[0].start()  # the servers go where the shipped ones were (before `keepalive`)
        return f"upstream {block.group(1)} {{\n{body[:first]}{servers}{body[first:]}}}"

    assert sorted(m.group(1) for m in UPSTREAM_BLOCK.finditer(text)) == sorted(UPSTREAMS), \
        "the shipped configuration no longer has exactly the upstreams " + ", ".join(UPSTREAMS)
    text = UPSTREAM_BLOCK.sub(instances, text)
    (prefix / "conf.d").mkdir(parents=True, exist_ok=True)
    (prefix / "conf.d" / "onewindow-platform.conf").write_text(text, encoding="utf-8")
    temp = "\n".join(f"  {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    logging = (f"  log_format upstreams {ACCESS_FORMAT};\n  access_log {prefix / 'access.log'} upstreams;"
               if access_log else "  access_log off;")
    main = prefix / "nginx.conf"
    main.write_text(f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
worker_rlimit_nofile 16384;
events {{ worker_connections 8192; }}
http {{
{logging}
{temp}
  include {prefix / "conf.d" / "onewindow-platform.conf"};
}}
""", encoding="utf-8")
    return main


class Nginx:
    """nginx as a child process of the test (never the system's service)."""

    def __init__(self, prefix: Path, upstream_port: int | list[int], access_log: bool = False) -> None:
        binary = nginx_binary()
        assert binary is not None
        prefix.mkdir(parents=True, exist_ok=True)
        self.cert, key = self_signed(prefix)
        self.port = free_port()
        conf = render(prefix, self.port, upstream_port, self.cert, key, access_log=access_log)
        self.error_log = prefix / "error.log"
        self.access_log = prefix / "access.log"
        check = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf), "-e", str(self.error_log)],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-e", str(self.error_log)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                requests.get(self.url("/api/v1/openapi.json"), verify=str(self.cert), timeout=1)
                break
            except requests.RequestException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: " + self.error_log.read_text(errors="replace")[-2000:])
                time.sleep(0.05)

    def url(self, path: str = "/api/v1") -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()  # SIGTERM: nginx's fast shutdown, master and worker
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
