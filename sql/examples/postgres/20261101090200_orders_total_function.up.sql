-- A function body full of semicolons: split by PostgreSQL's own scanner.
CREATE FUNCTION account_total(p_account bigint) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
    result numeric;
BEGIN
    SELECT coalesce(sum(total), 0) INTO result FROM orders WHERE account_id = p_account;
    RETURN result;
END;
$$;
