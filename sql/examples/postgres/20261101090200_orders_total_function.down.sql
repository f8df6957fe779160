DROP FUNCTION account_total(bigint);
