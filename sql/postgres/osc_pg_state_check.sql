-- Whether a job's objects are as it left them: the table ($1) is still the one with oid $2,
-- the shadow table ($3) exists (its oid), and how many of the engine's two triggers ($4, $5)
-- are on the table and enabled.
SELECT coalesce(to_regclass($1)::oid::text = $2, false),
       to_regclass($3)::oid::text,
       (SELECT count(*) FROM pg_trigger
        WHERE tgrelid = to_regclass($1) AND tgname IN ($4, $5) AND tgenabled <> 'D')::text
