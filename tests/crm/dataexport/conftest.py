import pytest


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Exports and uploaded files of these tests go to a folder of their own."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PROTECTED_MEDIA_ROOT = str(tmp_path / "protected")
    return tmp_path
