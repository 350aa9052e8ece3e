# Mimir: one binary, bin/mimir, built from wire/, semantic/, planner/ and proxy/.
#
#   make            build bin/mimir
#   make deps       install the Debian packages the build, demo and tests need
#   make demo       build, generate the demo database and serve it on 127.0.0.1:3306
#   make test       unit tests (cmocka) + integration tests (pytest, real PostgreSQL)
#   make test-asan  the same suite against an AddressSanitizer/UBSan build
#   make format     format the C sources with .clang-format

CC      ?= cc
PKGS    := libevent libevent_openssl libpq libmariadb yaml-0.1 sqlite3 openssl
OPTFLAGS ?= -O2 -g
SANFLAGS ?=
CFLAGS  := $(OPTFLAGS) $(SANFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS := $(SANFLAGS)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

BUILD   ?= build/release
BIN     ?= bin/mimir
PYTHON  := /usr/bin/python3
PYTEST_ARGS ?=

LIB_SRCS  := $(sort $(wildcard wire/*.c semantic/*.c planner/*.c)) \
             $(filter-out proxy/main.c,$(sort $(wildcard proxy/*.c)))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/proxy/main.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo demo-data test test-unit test-integration test-clients test-asan format clean
all: $(BIN)

deps:
	@./scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BIN): $(LIB_OBJS) $(MAIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

configs/demo/demo.db: configs/demo/demo-data.sql
	rm -f $@.tmp && sqlite3 $@.tmp < $< && mv $@.tmp $@

demo-data: configs/demo/demo.db

demo: deps
	@$(MAKE) --no-print-directory all demo-data
	./$(BIN) serve

test-unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do echo "== $$t"; $$t || exit 1; done

# The real clients' helpers (tests/clients), built per build directory so that
# concurrent builds do not share them: the Java probe compiled against Debian's
# MariaDB Connector/J, and Node's mysql2 installed from the committed lockfile.
CLIENTS      := $(BUILD)/clients
JAVA_PROBE   := $(CLIENTS)/java/MimirProbe.class
NODE_MODULES := $(CLIENTS)/node/node_modules/.package-lock.json

$(JAVA_PROBE): tests/clients/java/MimirProbe.java
	@mkdir -p $(dir $@)
	javac -Xlint:all -Werror -d $(dir $@) $<

$(NODE_MODULES): tests/clients/node/package.json tests/clients/node/package-lock.json
	@mkdir -p $(CLIENTS)/node
	cp tests/clients/node/package.json tests/clients/node/package-lock.json $(CLIENTS)/node/
	cd $(CLIENTS)/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

# A libmariadb prepared-statement client (tests/integration/test_protocol.py).
# Built without the sanitizers: it is a test tool, not the code under test.
STMT_CLIENT  := $(CLIENTS)/c/stmt_client

$(STMT_CLIENT): tests/clients/stmt_client.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	    $(shell pkg-config --cflags libmariadb) -o $@ $< $(shell pkg-config --libs libmariadb)

test-clients: $(JAVA_PROBE) $(NODE_MODULES) $(STMT_CLIENT)

test-integration: $(BIN) demo-data test-clients
	MIMIR_BIN=$(abspath $(BIN)) MIMIR_CLIENTS=$(abspath $(CLIENTS)) \
	$(PYTHON) -m pytest -q tests/integration $(PYTEST_ARGS)

test: deps
	@$(MAKE) --no-print-directory all demo-data
	@$(MAKE) --no-print-directory test-unit test-integration

ASAN_MAKE := $(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/mimir \
	OPTFLAGS="-O1 -g -fno-omit-frame-pointer" \
	SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
test-asan: deps
	@$(ASAN_MAKE) build/asan/mimir demo-data
	@ASAN_OPTIONS=detect_leaks=1 $(ASAN_MAKE) test-unit test-integration

format:
	clang-format -i $(wildcard */*.h */*.c tests/unit/*.c)

clean:
	rm -rf build bin

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)
