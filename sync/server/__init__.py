"""The reference central platform: FastAPI, SQLAlchemy, attachments on disk (see DESIGN.md)."""
