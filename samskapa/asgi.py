"""ASGI entry point for uvicorn: `uvicorn samskapa.asgi:app`."""
from samskapa.app import create_app

app = create_app()
