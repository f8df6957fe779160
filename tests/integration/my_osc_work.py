#!/usr/bin/env python3
"""Workload of the MariaDB online schema change tests (my_osc_*.sh): prints transactions that
insert, update, delete and re-key rows of t and make the same change to its control table c,
for the mariadb client, about RATE a second, forever.  Usage: my_osc_work.py ROWS CLIENT
CLIENTS RATE (new keys of a client are ROWS + CLIENT, ROWS + CLIENT + CLIENTS, ...: no two
clients make the same key)."""
import random
import sys
import time

rows, client, clients, rate = (int(a) for a in sys.argv[1:5])
next_key = rows + client
out = sys.stdout
try:
    while True:
        r = random.random()
        k = random.randint(1, next_key)
        val = "%032x" % random.getrandbits(128)
        if r < 0.25:
            n, next_key = next_key, next_key + clients
            body = (f"INSERT INTO t (id, v, s) VALUES ({n}, 0, '{val}'); "
                    f"INSERT INTO c (id, v, s) VALUES ({n}, 0, '{val}');")
        elif r < 0.75:
            body = (f"UPDATE t SET v = v + 1, s = '{val}' WHERE id = {k}; "
                    f"UPDATE c SET v = v + 1, s = '{val}' WHERE id = {k};")
        elif r < 0.9:
            body = f"DELETE FROM t WHERE id = {k}; DELETE FROM c WHERE id = {k};"
        else:
            n, next_key = next_key, next_key + clients
            body = f"UPDATE t SET id = {n} WHERE id = {k}; UPDATE c SET id = {n} WHERE id = {k};"
        out.write(f"START TRANSACTION; {body} COMMIT;\n")
        out.flush()
        time.sleep(1.0 / rate)
except BrokenPipeError:
    pass
