-- clone: the clone's session loads rows as they are: 0 stays 0 in an
-- AUTO_INCREMENT column, zero dates are taken, TIMESTAMPs are UTC as read, and
-- foreign keys are not checked until the rows whose parent was not copied are
-- gone.
SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO', SESSION time_zone = '+00:00',
    SESSION foreign_key_checks = 0
