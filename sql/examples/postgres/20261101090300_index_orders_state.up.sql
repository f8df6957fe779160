-- CREATE INDEX CONCURRENTLY cannot run in a transaction: migrate notices and
-- runs this file statement by statement, recording progress after each one.
CREATE INDEX CONCURRENTLY orders_state ON orders (state);
