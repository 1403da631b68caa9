"""What the terminal and the platform agree on, in one place.

Only an answer that carries `PROTOCOL_HEADER` counts as the platform's own:
a captive portal or a proxy that answers 200 with a login page must never
be taken for "received".
"""
from __future__ import annotations

API_PREFIX = "/api/v1"
PROTOCOL_HEADER = "OneWindow-Protocol"
PROTOCOL_VERSION = "1"

# tus 1.0.0 core + creation + checksum, the model for resumable uploads.
TUS_VERSION = "1.0.0"
UPLOAD_CONTENT_TYPE = "application/offset+octet-stream"
CHECKSUM_MISMATCH = 460  # tus checksum extension: the chunk's checksum did not match
UPLOAD_COMPLETE_HEADER = "OneWindow-Upload-Complete"
# On the answer that completes a file: the uploading terminal's applications whose cases that file completed
# (comma-separated ids, at most COMPLETED_APPLICATIONS_MAX; more, and the header is left out). The terminal
# takes them as confirmed without asking `POST /applications/state`; those it does not hear of it asks about.
COMPLETED_APPLICATIONS_HEADER = "OneWindow-Applications-Complete"
COMPLETED_APPLICATIONS_MAX = 50

# Upload chunks: a cut link costs at most the chunk in flight. Their size adapts to the link (sync.chunk_size):
# it starts at DEFAULT_CHUNK_BYTES, never goes below MIN_CHUNK_BYTES, nor above the platform's largest chunk
# (`platform serve --max-chunk-kb`, 4 MB by default; a smaller limit is learnt from its 413).
DEFAULT_CHUNK_BYTES = 32 * 1024
MIN_CHUNK_BYTES = 4 * 1024
PLATFORM_MAX_CHUNK_BYTES = 4 * 1024 * 1024
# Creation-with-upload (tus creation-with-upload): the first chunk may ride in `POST /uploads`. A platform
# that predates it refuses such a body (415, or 413 past its JSON limit); the terminal then sends an empty POST.
# Asked again after this many seconds, in case the platform was upgraded meanwhile.
CREATION_WITH_UPLOAD_RETRY_SECONDS = 6 * 3600.0

# Several whole small files in one request (`POST /uploads/batch`): the header names each file's SHA-256 and
# length in body order ("<sha256>:<length>,..."), the body is the files one after another. A platform offers it
# in its push answer (`PushResponse.upload_batch_bytes`, its largest batch body); one that does not is sent
# each file on its own, as before. Each file in a batch is at most a chunk and a cut keeps the files that arrived
# whole, so a cut link still costs at most a chunk, however large the batch.
UPLOAD_BATCH_HEADER = "OneWindow-Upload-Batch"
UPLOAD_BATCH_MAX_FILES = 64

# Statuses the platform sends back through the changes feed.
FEED_STATUSES = ("received", "accepted", "needs_supplement", "approved", "rejected")
DECISIONS = ("accepted", "needs_supplement", "approved", "rejected")
