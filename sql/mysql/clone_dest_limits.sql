-- clone: how big a batch of rows may be (one statement's packet), and whether
-- the clone runs scheduled events.
SELECT @@max_allowed_packet, @@event_scheduler
