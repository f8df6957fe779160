-- Appends an event chained to the last one in a single statement (the runner lock makes
-- the engine the only writer): hash = SHA-256 over the previous hash and the fields, joined
-- with 0x1f, exactly as mg_event_canonical() writes them.  Parameters are never NULL, the
-- fifth (version) is '' for none.  MySQL binds each ? once, in order, so the derived table
-- `e` names them for the two places they are used.
INSERT INTO migrate_events (`at`, `run_id`, `action`, `outcome`, `version`, `name`, `checksum`,
    `os_user`, `db_user`, `host`, `tool_version`, `meta`, `prev_hash`, `hash`)
SELECT e.at, e.run_id, e.action, e.outcome, CAST(NULLIF(e.version, '') AS DECIMAL(20,0)), e.name,
    e.checksum, e.os_user, e.db_user, e.host, e.tool_version, e.meta, p.h,
    SHA2(CONCAT_WS(CHAR(31 USING utf8mb4), p.h, e.at, e.run_id, e.action, e.outcome, e.version,
        e.name, e.checksum, e.os_user, e.db_user, e.host, e.tool_version, e.meta), 256)
FROM (SELECT CAST(? AS CHAR) AS `at`, CAST(? AS CHAR) AS run_id, CAST(? AS CHAR) AS action,
             CAST(? AS CHAR) AS outcome, CAST(? AS CHAR) AS version, CAST(? AS CHAR) AS name,
             CAST(? AS CHAR) AS checksum, CAST(? AS CHAR) AS os_user, CAST(? AS CHAR) AS db_user,
             CAST(? AS CHAR) AS host, CAST(? AS CHAR) AS tool_version,
             CAST(? AS CHAR) AS meta) e
CROSS JOIN (SELECT COALESCE((SELECT `hash` FROM migrate_events ORDER BY `id` DESC LIMIT 1), '')
            AS h) p
