CREATE TYPE order_state AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE orders (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id),
    state      order_state NOT NULL DEFAULT 'new',
    total      numeric(12, 2) NOT NULL CHECK (total >= 0)
);
CREATE INDEX orders_account_id ON orders (account_id);
