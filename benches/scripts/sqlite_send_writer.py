#!/usr/bin/env python3
"""The writer's side of POST /api/messages/send on SQLite, without the server.

Runs groups of 64 sends, each in its own savepoint, as `group_commit.rs` does: the
message insert and the members' update (with the event triggers of migration 0020),
`synchronous = FULL`, and a checkpoint thread every 100 ms that restarts a WAL over
4,096 pages. It works on a copy of a database the scale bench kept:

    SCALE_KEEP=1 SCALE_ONLY=sqlite SCALE_ENDPOINTS=home cargo bench --bench scale
    python3 benches/scripts/sqlite_send_writer.py /tmp/.tmpXXXX/scale.db 5 [SETUP_SQL] [PRAGMAS]

SETUP_SQL runs on the copy first (say, "DROP INDEX messages_sender;"); PRAGMAS after the
writer's own (say, "PRAGMA temp_store = MEMORY;"). `NOCKPT=1` runs no checkpoints.
It prints sends per second and the WAL's size at the end. See docs/PERFORMANCE.md,
session 27.
"""

import os
import random
import shutil
import sqlite3
import sys
import threading
import time

GROUP = 64
CONVERSATIONS = 3300  # about as many as the bench's signed-in people have
UPDATE_MEMBERS = """UPDATE conversation_members SET
    unread_count = CASE WHEN user_id = ? THEN unread_count + 1 ELSE 0 END,
    archived_at = CASE WHEN user_id = ? THEN NULL ELSE archived_at END,
    last_read_message_id = CASE WHEN user_id = ? THEN last_read_message_id ELSE ? END,
    last_message_at = ?, last_message_id = ?, last_sender_id = ?, last_sent_at = ?,
    last_preview = substr(?, 1, 101)
  WHERE conversation_id = ?"""


def fresh_copy(source):
    copy = source + ".writer"
    shutil.copy(source, copy)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    return copy


def conversations(conn):
    members = {}
    for conversation, user in conn.execute(
        "SELECT conversation_id, user_id FROM conversation_members"
    ):
        members.setdefault(conversation, []).append(user)
    pairs = [(c, m) for c, m in members.items() if len(m) == 2]
    random.seed(1)
    return random.sample(pairs, min(len(pairs), CONVERSATIONS))


def checkpoints(path, wal_pages, stop):
    conn = sqlite3.connect(path, isolation_level=None)
    while not stop.is_set():
        wal_pages[0] = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        time.sleep(0.1)


def send(conn, conversation, members, n, now):
    sender = members[random.randrange(2)]
    recipient = members[0] if members[1] == sender else members[1]
    content = f"Scale bench message {n}: how are you feeling today?"
    conn.execute("SAVEPOINT send")
    message = conn.execute(
        "INSERT INTO messages (conversation_id, sender_id, content, sent_at) "
        "VALUES (?, ?, ?, ?) RETURNING id",
        (conversation, sender, content, now),
    ).fetchone()[0]
    conn.execute(
        UPDATE_MEMBERS,
        (recipient, recipient, recipient, message, now, message, sender, now, content,
         conversation),
    )
    conn.execute("RELEASE send")


def main():
    source, seconds = sys.argv[1], float(sys.argv[2])
    setup = sys.argv[3] if len(sys.argv) > 3 else ""
    pragmas = sys.argv[4] if len(sys.argv) > 4 else ""
    path = fresh_copy(source)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.executescript(setup)
    conn.executescript(
        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
        "PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -65536; "
        "PRAGMA mmap_size = 1073741824;"
    )
    conn.executescript(pragmas)
    pairs = conversations(conn)
    wal_pages, stop = [0], threading.Event()
    checkpointer = threading.Thread(target=checkpoints, args=(path, wal_pages, stop))
    if not os.environ.get("NOCKPT"):
        checkpointer.start()
    now, sent, started = int(time.time() * 1000), 0, time.time()
    while time.time() - started < seconds:
        if wal_pages[0] >= 4096:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            wal_pages[0] = 0
        conn.execute("BEGIN IMMEDIATE")
        for _ in range(GROUP):
            conversation, members = random.choice(pairs)
            send(conn, conversation, members, sent, now)
            sent += 1
        conn.execute("COMMIT")
    elapsed = time.time() - started
    stop.set()
    if checkpointer.is_alive():
        checkpointer.join()
    wal_mb = os.path.getsize(path + "-wal") / 1e6
    print(f"{sent / elapsed:.0f} sends/s, WAL {wal_mb:.1f} MB")
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


if __name__ == "__main__":
    main()
