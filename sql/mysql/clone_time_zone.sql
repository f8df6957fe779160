-- clone: the time zone an event's schedule is written in.
SET SESSION time_zone = ?
