"""Where the platform's object storage is: endpoint and bucket from flags or `platform.json`, secrets from the
environment only.

`platform serve --s3-endpoint URL --s3-bucket NAME [--s3-region R]` names the store; the other platform commands
(`purge`, `doctor`, `submit-online`, ...) find it again in `platform.json`, where `serve` records the endpoint,
bucket and region. The access key and secret come only from `ONEWINDOW_S3_ACCESS_KEY_ID` and
`ONEWINDOW_S3_SECRET_ACCESS_KEY`: a command line is visible to every user of the machine (`ps`), and
`platform.json` travels with backups of the home.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.errors import Message, UserFacingError

ACCESS_KEY_ENV = "ONEWINDOW_S3_ACCESS_KEY_ID"
SECRET_KEY_ENV = "ONEWINDOW_S3_SECRET_ACCESS_KEY"
DEFAULT_REGION = "us-east-1"
CONFIG_KEYS = ("s3_endpoint", "s3_bucket", "s3_region")  # what platform.json may hold; never a secret

# S3's bucket naming rules (the strictest of S3, MinIO, Ceph and SeaweedFS): 3-63 characters, lower-case
# letters, digits, dots and hyphens, a letter or digit at each end, not an IP address.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d+\.\d+\.\d+\.\d+")
_REGION = re.compile(r"[a-z0-9-]{1,32}")


class S3SettingsError(UserFacingError):
    pass


@dataclass(frozen=True)
class S3Settings:
    endpoint: str
    bucket: str
    region: str = DEFAULT_REGION
    access_key: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)

    def recorded(self) -> dict[str, str]:
        """What `platform.json` keeps: where the store is, never how to get in."""
        return {"s3_endpoint": self.endpoint, "s3_bucket": self.bucket, "s3_region": self.region}


def _refuse(zh: str, en: str) -> S3SettingsError:
    return S3SettingsError(Message(zh, en), code="s3_settings")


def _check_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise _refuse(f"对象存储地址 {endpoint!r} 无效，应为 http:// 或 https:// 开头的地址（如 https://minio.example:9000）。",
                      f"The object storage endpoint {endpoint!r} is invalid: give an http:// or https:// address "
                      "(such as https://minio.example:9000).")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise _refuse(f"对象存储地址 {endpoint!r} 的端口无效。",
                      f"The object storage endpoint {endpoint!r} has an invalid port.") from None
    return endpoint.rstrip("/")


def _check_bucket(bucket: str) -> str:
    if not _BUCKET.fullmatch(bucket) or ".." in bucket or _IP.fullmatch(bucket):
        raise _refuse(f"存储桶名称 {bucket!r} 无效：须为3到63个小写字母、数字、点或连字符，且以字母或数字开头和结尾。",
                      f"The bucket name {bucket!r} is invalid: 3 to 63 lower-case letters, digits, dots or hyphens, "
                      "starting and ending with a letter or digit.")
    return bucket


def _check_region(region: str) -> str:
    if not _REGION.fullmatch(region):
        raise _refuse(f"区域名称 {region!r} 无效（如 us-east-1）。", f"The region {region!r} is invalid (e.g. us-east-1).")
    return region


def recorded_settings(home: Path) -> dict[str, str]:
    """The endpoint, bucket and region the last `serve` recorded in the home (empty when none)."""
    path = home / "platform.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(data[k]) for k in CONFIG_KEYS if isinstance(data.get(k), str) and data[k]}


def resolve(endpoint: str | None, bucket: str | None, region: str | None, *, home: Path | None = None,
            environ: Mapping[str, str] | None = None) -> S3Settings | None:
    """Object storage settings from the flags, else from `platform.json`; None for the local directory store.

    Every mistake is refused with a message naming it, before anything is stored anywhere: an endpoint
    without a bucket or the reverse, a malformed address or bucket name, missing or half-given credentials.
    """
    env = os.environ if environ is None else environ
    if endpoint is None and bucket is None and region is None and home is not None:
        recorded = recorded_settings(home)
        endpoint, bucket = recorded.get("s3_endpoint"), recorded.get("s3_bucket")
        region = recorded.get("s3_region")
    if not endpoint and not bucket:
        if region:
            raise _refuse("只给出了 --s3-region：请同时给出 --s3-endpoint 和 --s3-bucket。",
                          "--s3-region was given alone: give --s3-endpoint and --s3-bucket too.")
        return None
    if not endpoint or not bucket:
        raise _refuse("对象存储须同时给出 --s3-endpoint 和 --s3-bucket。",
                      "Object storage needs both --s3-endpoint and --s3-bucket.")
    access, secret = env.get(ACCESS_KEY_ENV, "").strip(), env.get(SECRET_KEY_ENV, "").strip()
    if not access or not secret:
        missing = " 和 ".join(n for n, v in ((ACCESS_KEY_ENV, access), (SECRET_KEY_ENV, secret)) if not v)
        missing_en = " and ".join(n for n, v in ((ACCESS_KEY_ENV, access), (SECRET_KEY_ENV, secret)) if not v)
        raise _refuse(f"使用对象存储须在环境变量中提供访问凭据：缺少 {missing}（凭据不可写在命令行或 platform.json 中）。",
                      f"Object storage needs its credentials in the environment: {missing_en} is missing "
                      "(credentials never go on the command line or into platform.json).")
    return S3Settings(_check_endpoint(endpoint.strip()), _check_bucket(bucket.strip()),
                      _check_region((region or DEFAULT_REGION).strip()), access, secret)


def record(home: Path, settings: S3Settings | None) -> None:
    """Keep where the store is in `platform.json` beside the database URL, or forget it (the local store)."""
    path = home / "platform.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    for k in CONFIG_KEYS:
        data.pop(k, None)
    if settings is not None:
        data.update(settings.recorded())
    path.write_text(json.dumps(data), encoding="utf-8")
    os.chmod(path, 0o600)
