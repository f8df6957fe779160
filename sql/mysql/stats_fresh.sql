-- MySQL 8 caches information_schema's table figures (AUTO_INCREMENT, sizes) for a
-- day by default: read them fresh.
SET SESSION information_schema_stats_expiry = 0
