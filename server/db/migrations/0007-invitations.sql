-- E-mail invitations: one row per recipient of each invitation, kept for the daily limits and so an
-- owner can tell who was invited where. Recipients are addresses the sender typed (often outside
-- the company); the sender's name is copied in and anonymised when the sender is deleted.
CREATE TABLE invitations (
  id INTEGER PRIMARY KEY,
  -- SET NULL, not CASCADE: deleting a room (or its owner) must not give the day's quota back.
  room_id TEXT REFERENCES rooms (id) ON DELETE SET NULL,
  sender_id TEXT REFERENCES users (id) ON DELETE SET NULL,
  sender_name TEXT NOT NULL,
  recipient TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- When the meeting is (ms since epoch); NULL: an invitation without a calendar event.
  scheduled_at INTEGER,
  -- When the SMTP server accepted the message; NULL unless status is 'sent'.
  sent_at INTEGER,
  -- sent: accepted by the SMTP server; refused: a limit or the SMTP server refused this recipient;
  -- failed: the SMTP server could not be reached or failed.
  status TEXT NOT NULL CHECK (status IN ('sent', 'refused', 'failed')),
  reason TEXT
);
-- The daily limits count accepted messages of the last 24 hours, per sender and for everyone. Not
-- partial: deleting a user or a room looks its rows up by these columns too.
CREATE INDEX invitations_sender_sent ON invitations (sender_id, sent_at);
CREATE INDEX invitations_sent ON invitations (sent_at);
CREATE INDEX invitations_room ON invitations (room_id);
CREATE INDEX invitations_created ON invitations (created_at);
