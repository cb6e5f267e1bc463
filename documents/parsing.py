"""Opening an uploaded PDF without letting it take the worker hostage.

A PDF from outside is parsed (pyHanko, for its signatures) in a child process under
``resource`` limits: ``RLIMIT_AS`` of ``QIYUE_PDF_PARSE_MEMORY_MB`` and ``RLIMIT_CPU`` of
``QIYUE_PDF_PARSE_SECONDS``, and the parent waits at most three times that on the wall
clock before killing it. A file that breaks a limit, or that the reader cannot open, is
:class:`Unreadable`: the page says so in a sentence, and the web worker is free again.
Children come from a ``forkserver`` that has pyHanko imported already, so a check costs a
fork, not an interpreter start, and never forks the threads of the web process.

The child gets the PDF and the county CA certificates (DER) and returns
:class:`documents.signing.VerificationResult`; it never touches Django settings or the
database. Like every multiprocessing child it imports the entry script as ``__mp_main__``,
so that script must keep its work under ``if __name__ == "__main__"`` (manage.py, gunicorn,
celery and pytest do).

Measured (2 shared cores): the first check of a process starts the fork server (0.8 s);
after that a 19 MB junk file is refused in 0.12 s (child peak 59 MB), a 200,000-deep
nesting in 0.07 s, a 2 GB Flate object stream in 0.36 s (174 MB), and a 3 KB field tree of
2**40 paths is killed by its CPU limit at 5 s (before: it held the worker for good).
"""

import logging
import multiprocessing
import resource
import time

from django.conf import settings
from django.utils.translation import gettext as _

from . import crl, pki, signing

log = logging.getLogger(__name__)


class Unreadable(Exception):
    """The file cannot be read as a PDF within the limits; the message is for the visitor."""


_context = None


def _forkserver():
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["documents.signing"])
        _context = context
    return _context


def _child(
    conn, pdf: bytes, roots_der: list[bytes], memory: int, seconds: int, crls_der=(), moment=None
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    try:
        from asn1crypto import crl, x509

        roots = [x509.Certificate.load(der) for der in roots_der]
        crls = [crl.CertificateList.load(der) for der in crls_der]
        result = signing.verify_pdf(pdf, roots=roots, crls=crls, moment=moment)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        conn.send(("done", result, peak))
    except MemoryError:
        conn.send(("memory", None, 0))
    finally:
        conn.close()


def verify_pdf(pdf: bytes, moment=None) -> signing.VerificationResult:
    """:func:`documents.signing.verify_pdf`, bounded in size, memory and time, against the
    county CA and its current CRL."""
    unreadable = _(
        "This file cannot be read: it is damaged, not a real PDF, or too complex to open. "
        "Upload the PDF exactly as the system issued it."
    )
    if len(pdf) > settings.QIYUE_MAX_REQUEST_BYTES:
        raise Unreadable(unreadable)
    memory = settings.QIYUE_PDF_PARSE_MEMORY_MB * 1024 * 1024
    seconds = settings.QIYUE_PDF_PARSE_SECONDS
    roots = [root.dump() for root in pki.trust_roots()]
    try:
        crl_der = crl.current_der()
    except pki.PKIError:  # an unreadable CRL must not hide the documents
        log.exception("the county CA's CRL cannot be read")
        crl_der = None
    crls = [crl_der] if crl_der else []
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, pdf, roots, memory, seconds, crls, moment), daemon=True
    )
    started = time.monotonic()
    child.start()
    sender.close()
    outcome = None
    try:
        if receiver.poll(3 * seconds):
            outcome = receiver.recv()
    except (EOFError, OSError):  # the child was killed by its CPU or memory limit
        outcome = None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    elapsed = time.monotonic() - started
    if outcome is None or outcome[0] != "done":
        log.warning(
            "PDF of %d bytes refused after %.1f s (%s)",
            len(pdf),
            elapsed,
            "memory" if outcome else f"exit {child.exitcode}",
        )
        raise Unreadable(unreadable)
    result, peak = outcome[1], outcome[2]
    log.info("PDF of %d bytes checked in %.2f s, peak %d MB", len(pdf), elapsed, peak)
    if not result.readable:
        log.warning("PDF of %d bytes unreadable: %s", len(pdf), "; ".join(result.errors))
        raise Unreadable(unreadable)
    return result
