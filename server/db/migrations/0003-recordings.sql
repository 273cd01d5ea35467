-- Meeting recordings: one row per file in <data>/recordings/. The room, recorder and room owner are
-- copied by value too, so a recording outlives the room or account it came from (retention decides).
CREATE TABLE recordings (
  id TEXT PRIMARY KEY,
  room_id TEXT REFERENCES rooms (id) ON DELETE SET NULL,
  room_title TEXT NOT NULL,
  room_owner_id TEXT REFERENCES users (id) ON DELETE SET NULL,
  started_by TEXT REFERENCES users (id) ON DELETE SET NULL,
  started_by_name TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  -- Measured from the file (ffprobe) once it is closed.
  duration_ms INTEGER,
  size_bytes INTEGER,
  -- recording: ffmpeg runs; ready: stopped cleanly; partial: ended by a failure, the file plays up
  -- to that point; failed: nothing usable was written.
  status TEXT NOT NULL CHECK (status IN ('recording', 'ready', 'partial', 'failed')),
  -- Why it ended early (stable code and a message naming the cause), for partial and failed.
  error_code TEXT,
  error_message TEXT,
  -- File names inside the recordings folder.
  file TEXT NOT NULL,
  chat_file TEXT NOT NULL
);
CREATE INDEX recordings_started ON recordings (started_at);
CREATE INDEX recordings_room_owner ON recordings (room_owner_id, started_at);
CREATE INDEX recordings_started_by ON recordings (started_by, started_at);
