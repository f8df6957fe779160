# migrate — build, test and tooling.  `make help` lists the targets.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
BIN     ?= bin

WARN    = -Wall -Wextra -Werror -Wpedantic -Wstrict-prototypes -Wmissing-prototypes \
          -Wvla -Wwrite-strings -Wformat-security -Wshadow -Wno-unused-parameter \
          -Wno-format-truncation
CSTD    = -std=c11 -D_GNU_SOURCE
OPT     ?= -O2 -g
INC     = -Imigrate -Idrivers -Ichecks -I$(BUILD) -I/usr/include/postgresql -I/usr/include/pg_query \
          $(shell pkg-config --cflags libmariadb 2>/dev/null)
CFLAGS  += $(CSTD) $(OPT) $(WARN) $(INC) $(EXTRA_CFLAGS)
# libpg_query is linked statically: its raw parser (pg_query_raw_parse, used by the linter) is
# exported by the static library only.  The archive carries the protobuf-c runtime that its
# protobuf functions (pg_query_scan, used by the PostgreSQL driver) need.
LIBS    = -lpq $(shell pkg-config --libs libmariadb 2>/dev/null) -l:libpg_query.a -lpcre2-8 \
          -luuid -ljansson -linih -lcrypto -lm
LDFLAGS += $(EXTRA_LDFLAGS)

# The linter's PostgreSQL rules read libpg_query's raw parse tree, PostgreSQL's own node
# structs, so the files that include pg_rules.h compile against the server headers of the
# PostgreSQL major version libpg_query is built from (libpg_query 15-4.0.0: PostgreSQL 15).
# The headers come first in the search path so that their own includes find their own
# pg_config.h.  They use __int128, which -Wpedantic rejects in ISO C: pg_rules.h silences
# -Wpedantic for those headers only (a pragma around the #include), so every warning stays an
# error for our code.
PG_MAJOR      = 15
PG_SERVER_INC = $(shell /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_config --includedir-server 2>/dev/null \
                  || echo /usr/include/postgresql/$(PG_MAJOR)/server)
PG_TREE_SRC   = $(wildcard checks/pg_*.c)

# Debian packages the build, the tests and the demo need.
DEPS = build-essential pkg-config libpq-dev default-libmysqlclient-dev libpcre2-dev uuid-dev \
       libcmocka-dev libpg-query-dev libprotobuf-c-dev postgresql-server-dev-$(PG_MAJOR) \
       libjansson-dev libssl-dev libinih-dev \
       postgresql postgresql-client mariadb-server mariadb-client clang-format jq bc python3-yaml git \
       python3-jsonschema procps

ENGINE_SRC  = $(filter-out migrate/main.c,$(wildcard migrate/*.c))
DRIVER_SRC  = $(wildcard drivers/*.c)
CHECK_SRC   = $(wildcard checks/*.c)
LIB_SRC     = $(ENGINE_SRC) $(DRIVER_SRC) $(CHECK_SRC) $(BUILD)/sql_embed.c
LIB_OBJ     = $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(BUILD)/%,$(LIB_SRC))) $(BUILD)/sql_embed.o
UNIT_SRC    = $(wildcard tests/unit/test_*.c)
UNIT_BIN    = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
SQL_FILES   = $(wildcard sql/postgres/*.sql sql/mysql/*.sql)
VERSION     := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

.PHONY: all deps test unit integration demo check-asan format format-check install clean help

all: $(BIN)/migrate

help:
	@echo "targets: all deps test unit integration demo check-asan format format-check install clean"

$(BUILD)/sql_embed.c: $(SQL_FILES) tools/embed-sql.sh
	@mkdir -p $(BUILD)
	sh tools/embed-sql.sh $(SQL_FILES) > $@.tmp && mv $@.tmp $@

# the engine's SQL texts may pass C99's 4095-byte minimum for string literals, which every
# compiler we build with supports
$(BUILD)/sql_embed.o: $(BUILD)/sql_embed.c
	@$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -DMG_VERSION='"$(VERSION)"' -MMD -MP -c -o $@ $<

$(patsubst %.c,$(BUILD)/%.o,$(PG_TREE_SRC)) $(BUILD)/tests/test_pg_tree: CPPFLAGS += -I$(PG_SERVER_INC)

$(BUILD)/libmigrate.a: $(LIB_OBJ)
	@rm -f $@ && ar rcs $@ $^

$(BIN)/migrate: $(BUILD)/migrate/main.o $(BUILD)/libmigrate.a
	@mkdir -p $(BIN)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmigrate.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libmigrate.a $(LDFLAGS) $(LIBS) -lcmocka

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Installs the Debian packages that are missing (apt-get update first); no-op when all are there.
deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

integration: $(BIN)/migrate
	tests/integration/run.sh

test: deps
	$(MAKE) all
	$(MAKE) format-check
	$(MAKE) unit
	$(MAKE) integration

demo: deps
	$(MAKE) all
	sh tools/demo.sh

check-asan: deps
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" \
	  MIGRATE_BIN=$(CURDIR)/build-asan/bin/migrate all unit integration

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h') && echo "format-check: ok"

install: $(BIN)/migrate
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/migrate $(DESTDIR)$(PREFIX)/bin/migrate

clean:
	rm -rf build build-asan bin
