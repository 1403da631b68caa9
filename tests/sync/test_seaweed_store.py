"""The object store the platform tests run against is real S3 as production stores speak it."""
from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from tests.sync.seaweed import S3Endpoint


def test_the_test_store_speaks_s3_with_its_real_part_minimum_and_presigned_addresses(s3_bucket: S3Endpoint) -> None:
    s3 = s3_bucket.client()
    s3.put_object(Bucket=s3_bucket.bucket, Key="hello", Body="你好".encode())
    assert s3.get_object(Bucket=s3_bucket.bucket, Key="hello")["Body"].read() == "你好".encode()
    url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket.bucket, "Key": "hello"}, ExpiresIn=60)
    assert requests.get(url, timeout=10).content == "你好".encode()
    assert requests.get(url.split("?")[0], timeout=10).status_code == 403  # unsigned: refused
    started = s3.create_multipart_upload(Bucket=s3_bucket.bucket, Key="small-parts")
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=s3_bucket.bucket, Key="small-parts", PartNumber=n,
                                                       UploadId=started["UploadId"], Body=b"x" * 1000)["ETag"]}
             for n in (1, 2)]
    with pytest.raises(ClientError, match="EntityTooSmall"):
        s3.complete_multipart_upload(Bucket=s3_bucket.bucket, Key="small-parts", UploadId=started["UploadId"],
                                     MultipartUpload={"Parts": parts})
