-- Each stay's connection quality (issue 17), written when the stay ends; NULL for stays before this
-- release and while a stay runs. The levels are what the participant's browser rated its own
-- connection every 2 s (good / fair / poor: loss, jitter, frame rate, its send estimate), summed in
-- milliseconds; NULL when the browser never reported (a client without the report). The limits are
-- the server's: how long it sent this participant a smaller picture than asked for, or audio only,
-- because the participant's downlink did not carry more.
ALTER TABLE meeting_participants ADD COLUMN quality_good_ms INTEGER;
ALTER TABLE meeting_participants ADD COLUMN quality_fair_ms INTEGER;
ALTER TABLE meeting_participants ADD COLUMN quality_poor_ms INTEGER;
ALTER TABLE meeting_participants ADD COLUMN video_lowered_ms INTEGER;
ALTER TABLE meeting_participants ADD COLUMN audio_only_ms INTEGER;
