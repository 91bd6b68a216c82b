"""``hubcore serving``: any module with a ``serving`` declaration in its spec, as a web service.

The HTTP side needs the ``serving`` extra (FastAPI, uvicorn, prometheus-client) and Ray Serve
the ``ray`` extra; importing this package imports neither, so the CLI stays fast.
"""

from __future__ import annotations
