-- clone: foreign keys checked again once every kept row has its parent.
SET SESSION foreign_key_checks = 1
