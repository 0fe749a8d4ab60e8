"""ASGI entry point for uvicorn: `uvicorn samskapa.asgi:app`."""
import sys

from samskapa.app import create_app

# aiosqlite runs each query on a thread; with CPython's default 5 ms GIL switch interval the event
# loop waits up to that long for the thread's answer. 1 ms halved the uncached challenge list's
# time per request here (9.8 -> 5.4 ms in-process on the demo data).
sys.setswitchinterval(0.001)

app = create_app()
