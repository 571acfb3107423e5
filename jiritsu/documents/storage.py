"""The attachments' storage (settings.STORAGES["attachments"]): files stay out of the database."""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def attachment_storage() -> Storage:
    return storages["attachments"]
