"""Privacy of the query log: hashed user keys by default, a private salt, raw ids opt-in."""

from __future__ import annotations

from pathlib import Path

from bot.querylog import QueryLog, UserKeys, user_keys
from bot.querylog.privacy import SALT_FILE
from bot.settings import load_settings
from tests.support.querylog import record, rows

USER_ID = 987654321


def log_files(path: Path) -> bytes:
    """Every byte of the log, write-ahead log included."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_user_ids_are_hashed_by_default_and_never_stored(tmp_path):
    settings = load_settings(env_file=tmp_path / "none", environ={"MARJAA_DATA_DIR": str(tmp_path)})
    keys = user_keys(settings.log_user_ids, settings.data_dir, settings.log_salt)
    assert keys.hashed
    path = settings.db
    log = QueryLog(path, keys).start()
    for _ in range(3):
        log.log_query(record(user_id=USER_ID))
    assert log.flush(5)
    # before close too: the rows are still in the write-ahead log then
    assert str(USER_ID).encode() not in log_files(path)
    log.close()
    stored = {row["user_key"] for row in rows(path)}
    assert len(stored) == 1
    (key,) = stored
    assert len(key) == 16 and str(USER_ID) not in key
    assert str(USER_ID).encode() not in log_files(path)


def test_salt_is_generated_once_kept_private_and_reused(tmp_path):
    first = user_keys("hashed", tmp_path)
    salt_file = tmp_path / SALT_FILE
    assert salt_file.is_file()
    assert salt_file.stat().st_mode & 0o777 == 0o600
    again = user_keys("hashed", tmp_path)
    assert first.key(USER_ID) == again.key(USER_ID)  # the same user across restarts
    assert first.key(USER_ID) != first.key(USER_ID + 1)
    assert user_keys("hashed", tmp_path / "other").key(USER_ID) != first.key(USER_ID)


def test_configured_salt_wins_and_is_masked_in_settings(tmp_path):
    salt = "a-long-secret-salt-value"
    settings = load_settings(
        env_file=tmp_path / "none",
        environ={"MARJAA_DATA_DIR": str(tmp_path), "MARJAA_LOG_SALT": salt},
    )
    keys = user_keys(settings.log_user_ids, settings.data_dir, settings.log_salt)
    assert keys.key(USER_ID) == UserKeys(salt.encode()).key(USER_ID)
    assert not (tmp_path / SALT_FILE).exists()
    assert salt not in str(settings.masked()) and salt not in repr(keys)


def test_raw_user_ids_only_when_asked_for(tmp_path):
    settings = load_settings(
        env_file=tmp_path / "none",
        environ={"MARJAA_DATA_DIR": str(tmp_path), "MARJAA_LOG_USER_IDS": "raw"},
    )
    keys = user_keys(settings.log_user_ids, settings.data_dir, settings.log_salt)
    with QueryLog(settings.db, keys) as log:
        log.log_query(record(user_id=USER_ID))
        log.log_query(record(user_id=None, channel="cli"))
    assert [row["user_key"] for row in rows(settings.db)] == [str(USER_ID), None]


def test_unusable_salt_folder_falls_back_to_a_salt_for_this_run_not_raw_ids(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    warnings: list[str] = []
    keys = user_keys("hashed", blocked, warn=warnings.append)
    assert keys.hashed and keys.key(USER_ID) != str(USER_ID)
    assert len(warnings) == 1 and "cannot keep a salt" in warnings[0]
