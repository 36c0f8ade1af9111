"""Where uploaded documents are stored: local disk by default, a private S3-compatible
bucket when one is configured. Checked in fresh processes, as the settings tests are."""

import json
import os
import subprocess
import sys

from django.conf import settings

SHOW = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
print(json.dumps({
    "backend": settings.STORAGES["default"]["BACKEND"],
    "options": settings.STORAGES["default"].get("OPTIONS", {}),
    "storage_class": type(storages["default"]).__name__,
}, default=str))
"""


def _show(**env_vars):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCUMENTS_S3_")}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"})
    env.pop("DATABASE_URL", None)
    env.update(env_vars)
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_documents_are_stored_on_local_disk_by_default():
    shown = _show()
    assert shown["storage_class"] == "FileSystemStorage"
    assert shown["options"]["base_url"] is None  # no public URL for uploaded files


def test_a_configured_bucket_stores_documents_privately_in_s3_compatible_storage():
    shown = _show(DOCUMENTS_S3_BUCKET="aiss-documents",
                  DOCUMENTS_S3_ENDPOINT_URL="https://objects.example.hk",
                  DOCUMENTS_S3_ACCESS_KEY_ID="key", DOCUMENTS_S3_SECRET_ACCESS_KEY="secret")
    assert shown["storage_class"] == "S3Storage"
    assert shown["options"]["bucket_name"] == "aiss-documents"
    assert shown["options"]["endpoint_url"] == "https://objects.example.hk"
    assert shown["options"]["default_acl"] == "private"
    assert shown["options"]["querystring_auth"] is True
