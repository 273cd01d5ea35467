-- Meeting history: which meetings ran, who took part from where, what they wrote, and each UTC day's
-- peak load. Rooms, names and accounts are copied by value and carry no foreign key to rooms or users:
-- history outlives both (deleting a user anonymises their rows instead). Retention (privacy.retentionDays)
-- deletes it. Times are Unix milliseconds.
CREATE TABLE meetings (
  id INTEGER PRIMARY KEY,
  room_id TEXT NOT NULL,
  room_title TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  -- NULL while the meeting runs.
  ended_at INTEGER
);
CREATE INDEX meetings_started ON meetings (started_at);
CREATE INDEX meetings_ended ON meetings (ended_at);

-- One row per stay in a meeting: leaving and coming back makes a second row.
CREATE TABLE meeting_participants (
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  -- The employee's account; NULL for guests. Kept after the account is deleted (the name is not).
  user_id TEXT,
  display_name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('internal', 'guest')),
  joined_at INTEGER NOT NULL,
  left_at INTEGER,
  -- From the signaling connection's HTTP request; browser and os are parsed from user_agent.
  user_agent TEXT,
  browser TEXT,
  os TEXT,
  -- The client's address: behind a trusted proxy the forwarded one.
  ip TEXT,
  via_proxy INTEGER NOT NULL DEFAULT 0 CHECK (via_proxy IN (0, 1)),
  -- X-Forwarded-For as a trusted proxy sent it; NULL otherwise.
  forwarded_for TEXT
);
CREATE INDEX meeting_participants_meeting ON meeting_participants (meeting_id, joined_at);
CREATE INDEX meeting_participants_joined ON meeting_participants (joined_at);
CREATE INDEX meeting_participants_user ON meeting_participants (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE meeting_chat (
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  participant_id INTEGER REFERENCES meeting_participants (id) ON DELETE SET NULL,
  sender_name TEXT NOT NULL,
  text TEXT NOT NULL,
  sent_at INTEGER NOT NULL
);
CREATE INDEX meeting_chat_meeting ON meeting_chat (meeting_id, sent_at);
CREATE INDEX meeting_chat_participant ON meeting_chat (participant_id);

-- Highest simultaneous load seen on each UTC day ('YYYY-MM-DD'): live meetings, participants in all of
-- them, and participants in the largest one (what the license's per-meeting limit is measured against).
CREATE TABLE usage_peaks (
  day TEXT PRIMARY KEY,
  peak_rooms INTEGER NOT NULL DEFAULT 0,
  peak_participants INTEGER NOT NULL DEFAULT 0,
  peak_meeting_participants INTEGER NOT NULL DEFAULT 0
);
