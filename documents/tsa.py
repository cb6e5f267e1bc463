"""The county's time-stamping authority (RFC 3161 over HTTP), when QIYUE_TSA_URL names one.

pyHanko's own HTTP client needs ``requests``, which the project does not otherwise carry;
this one posts the time-stamp query with the standard library.
"""

import asyncio
import urllib.error
import urllib.request

from asn1crypto import tsp
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers


class HTTPTimeStamper(TimeStamper):
    def __init__(self, url: str, timeout: float = 10):
        super().__init__()
        self.url, self.timeout = url, timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        def post() -> tsp.TimeStampResp:
            request = urllib.request.Request(
                self.url, data=req.dump(), headers=set_tsp_headers({}), method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    kind, body = response.headers.get("Content-Type"), response.read()
            except (OSError, urllib.error.URLError) as exc:
                raise TimestampRequestError(
                    f"The time-stamping authority {self.url} did not answer: {exc}"
                ) from exc
            if kind != "application/timestamp-reply":
                raise TimestampRequestError(
                    f"The time-stamping authority {self.url} answered {kind!r}, not a time-stamp."
                )
            return tsp.TimeStampResp.load(body)

        return await asyncio.to_thread(post)


def timestamper():
    """A client of the county's TSA, or ``None`` when QIYUE_TSA_URL is empty."""
    from django.conf import settings

    url = getattr(settings, "QIYUE_TSA_URL", "")
    return HTTPTimeStamper(url) if url else None
