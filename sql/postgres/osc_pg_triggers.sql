-- The table's own triggers (not the engine's, named $2 and $3), as CREATE TRIGGER statements
-- taken before the swap, and how each is enabled (O origin, D disabled, R replica, A always).
SELECT pg_get_triggerdef(t.oid), t.tgname, t.tgenabled::text
FROM pg_trigger t
WHERE t.tgrelid = $1::oid AND NOT t.tgisinternal AND t.tgname NOT IN ($2, $3)
ORDER BY t.tgname
