"""Preloaded by the fork server of ``mt-audit batch`` (``corpus._start_warm_parent``):
importing this module finishes and renders a sample document once, so that the worker
processes forked from that server start with the sentence-embedding model, WordNet, the
word frequencies, the language identifier and the report templates already loaded.

Numerical libraries are held to one thread before they load: every worker forked from
here is one of several processes sharing the CPUs.  A failure here only costs time (each
worker then loads what it needs itself), so nothing is raised.
"""
from __future__ import annotations

import logging
import os

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_name] = "1"


def _warm() -> None:
    from ..pipeline import Auditor, AuditSettings

    try:
        Auditor(AuditSettings(backend="none", use_cache=False, quiet=True)).warm_up()
    except Exception as err:  # noqa: BLE001 - see the module's docstring
        logging.getLogger(__name__).debug("warm-up failed: %s", err)


_warm()
