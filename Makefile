# Mimir: one binary, bin/mimir, built from wire/, semantic/, planner/ and proxy/.
#
#   make            build bin/mimir
#   make deps       install the Debian packages the build, demo and tests need
#   make demo       build, generate the demo database and serve it on 127.0.0.1:3306 (MySQL)
#                   and http://127.0.0.1:8090/ (the HTTP API and the web page)
#   make test       structure check + unit tests (cmocka) + integration tests (pytest, real PostgreSQL)
#   make test-structure  layering of includes and function length (tests/structure)
#   make test-asan  the same suite against an AddressSanitizer/UBSan build (+ a short fuzz run)
#   make soak       10 minutes (SOAK_SECONDS) of 200 connections, reloads and PostgreSQL restarts (ASan)
#   make fuzz       run each fuzz target (tests/fuzz) for FUZZ_SECONDS (libFuzzer, clang)
#   make fuzz-replay  replay the fuzz corpora (tests/fuzz/corpus) through every target
#   make format     format the C sources with .clang-format
#   make bench      benchmarks against PostgreSQL and MariaDB (SF=1 ROUNDS=5; docs/performance.md)
#   make install    install under DESTDIR/PREFIX (default /usr/local): binary, man page, demo,
#                   examples, systemd unit, logrotate file, /etc/mimir (docs/operations.md)
#   make deb        build the Debian package (debian/) in build/deb, outside the source tree

CC      ?= cc
PKGS    := libevent libevent_openssl libpq libmariadb yaml-0.1 sqlite3 openssl jansson libcurl libsystemd
OPTFLAGS ?= -O2 -g
SANFLAGS ?=
CFLAGS  := $(OPTFLAGS) $(SANFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS := $(SANFLAGS)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread

BUILD   ?= build/release
BIN     ?= bin/mimir
PYTHON  := /usr/bin/python3
PYTEST_ARGS ?=

LIB_SRCS  := $(sort $(wildcard wire/*.c semantic/*.c planner/*.c)) \
             $(filter-out proxy/main.c,$(sort $(wildcard proxy/*.c proxy/*/*.c)))
# The web page's files (proxy/http/web/), built into the binary as C arrays.
WEB_ASSETS := $(sort $(wildcard proxy/http/web/*))
WEB_ASSETS_C := $(BUILD)/gen/web_assets.c
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/web_assets.o
MAIN_OBJ  := $(BUILD)/proxy/main.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: install uninstall deb all deps demo demo-data test test-structure test-unit test-integration test-clients test-random test-asan soak format clean \
        fuzz fuzz-build fuzz-replay fuzz-coverage bench bench-tools
all: $(BIN)

deps:
	@./scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(WEB_ASSETS_C): $(WEB_ASSETS) scripts/embed_assets.sh
	@mkdir -p $(dir $@)
	./scripts/embed_assets.sh $@ $(WEB_ASSETS)

$(BUILD)/gen/web_assets.o: $(WEB_ASSETS_C)
	$(CC) $(CFLAGS) -c $< -o $@

$(BIN): $(LIB_OBJS) $(MAIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit_support.o: tests/unit/unit_support.c tests/unit/unit_support.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(BUILD)/tests/unit_support.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/tests/unit_support.o $(LIB_OBJS) $(LDLIBS) -lcmocka

configs/demo/demo.db: configs/demo/demo-data.sql
	rm -f $@.tmp && sqlite3 $@.tmp < $< && mv $@.tmp $@

demo-data: configs/demo/demo.db

demo: deps
	@$(MAKE) --no-print-directory all demo-data
	./$(BIN) serve --http-port 8090

# Includes follow the layers (wire < semantic < planner < proxy; proxy/cli/ is
# private to main; backends include neither session/ nor server.h) and no function is longer
# than 100 lines. The checker first proves on planted violations that it fires.
test-structure:
	@$(PYTHON) tests/structure/check_structure.py --self-test
	@$(PYTHON) tests/structure/check_structure.py

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

# go-sql-driver/mysql from Debian (golang-github-go-sql-driver-mysql-dev), built
# offline: GOPATH mode (GO111MODULE=off) finds it under /usr/share/gocode.
GO_PROBE     := $(CLIENTS)/go/probe

$(GO_PROBE): tests/clients/go/probe.go
	@mkdir -p $(dir $@)
	GO111MODULE=off GOFLAGS= GOPATH=$(abspath $(CLIENTS)/go/gopath):/usr/share/gocode \
	    GOCACHE=$(abspath $(CLIENTS)/go/cache) go build -o $@ $<

# The Arrow stream encoder (proxy/http/arrow_stream.c) driven from a table
# description, for tests/integration/test_arrow_stream.py. Built with the
# build's own flags: here the encoder is the code under test (an ASan build
# gets an ASan tool).
ARROW_ENCODE := $(CLIENTS)/c/arrow_encode
ARROW_ENCODE_SRCS := tests/clients/arrow_encode.c proxy/http/arrow_stream.c \
                     proxy/http/arrow_values.c proxy/http/flatbuf.c planner/civil_date.c \
                     wire/buf.c wire/xalloc.c wire/mimir_assert.c

$(ARROW_ENCODE): $(ARROW_ENCODE_SRCS) $(wildcard proxy/http/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(ARROW_ENCODE_SRCS) -lm

test-clients: $(JAVA_PROBE) $(NODE_MODULES) $(STMT_CLIENT) $(GO_PROBE) $(ARROW_ENCODE)

test-integration: $(BIN) demo-data test-clients
	MIMIR_BIN=$(abspath $(BIN)) MIMIR_CLIENTS=$(abspath $(CLIENTS)) \
	$(PYTHON) -m pytest -q tests/integration $(PYTEST_ARGS)

# Randomised differential testing at length (tests/integration/test_random_queries.py):
# RANDOM_QUERIES generated metrics queries from RANDOM_SEED, each checked against a
# MariaDB oracle. `make test` runs 300 of them with a fixed seed.
RANDOM_QUERIES ?= 5000
RANDOM_SEED    ?= 20261207
test-random: $(BIN)
	MIMIR_BIN=$(abspath $(BIN)) MIMIR_CLIENTS=$(abspath $(CLIENTS)) \
	MIMIR_RANDOM_QUERIES=$(RANDOM_QUERIES) MIMIR_RANDOM_SEED=$(RANDOM_SEED) \
	$(PYTHON) -m pytest -q -s tests/integration/test_random_queries.py $(PYTEST_ARGS)

# ---- Benchmarks (bench/; docs/performance.md) --------------------------------
#
# `make bench` builds the harness's C tools and runs bench/run.py at scale
# factor SF (SF1: 1 million rentals) with ROUNDS alternating rounds; extra
# options for run.py go in BENCH_ARGS. Not part of `make test`.
SF         ?= 1
ROUNDS     ?= 5
BENCH_ARGS ?=
BENCH_DIR  := build/bench
BENCH_CFLAGS := -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
BENCH_TOOLS  := $(BENCH_DIR)/datagen $(BENCH_DIR)/loadgen $(BENCH_DIR)/pgclient

$(BENCH_DIR)/datagen: bench/datagen.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lm

$(BENCH_DIR)/loadgen: bench/loadgen.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libmariadb) -o $@ $< \
	    $(shell pkg-config --libs libmariadb) -pthread

$(BENCH_DIR)/pgclient: bench/pgclient.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libpq) -o $@ $< \
	    $(shell pkg-config --libs libpq) -pthread

bench-tools: $(BENCH_TOOLS)

bench: $(BIN) $(BENCH_TOOLS)
	MIMIR_BIN=$(abspath $(BIN)) $(PYTHON) bench/run.py --sf $(SF) --rounds $(ROUNDS) \
	    --tools $(BENCH_DIR) $(BENCH_ARGS)

test: deps
	@$(MAKE) --no-print-directory all demo-data
	@$(MAKE) --no-print-directory test-structure test-unit fuzz-replay test-integration

# The sanitizer build also turns on MIMIR_ASSERT (wire/mimir_assert.h).
ASAN_MAKE := $(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/mimir \
	OPTFLAGS="-O1 -g -fno-omit-frame-pointer -DMIMIR_ASSERTIONS" \
	SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
test-asan: deps
	@$(ASAN_MAKE) build/asan/mimir demo-data
	@ASAN_OPTIONS=detect_leaks=1 $(ASAN_MAKE) test-unit fuzz-replay test-integration
	@$(ASAN_MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

# The soak (tests/integration/test_soak.py; docs/reliability.md, "Soak"): the
# sanitizer build under 200 connections for SOAK_SECONDS, with a SIGHUP every
# 30 s and its PostgreSQL restarted every 2 minutes. Not part of `make test`
# or `make test-asan`, which skip it. The curve goes to build/soak/.
SOAK_SECONDS ?= 600
soak: deps
	@$(ASAN_MAKE) build/asan/mimir
	MIMIR_BIN=$(abspath build/asan/mimir) MIMIR_SOAK=1 SOAK_SECONDS=$(SOAK_SECONDS) \
	ASAN_OPTIONS=detect_leaks=1 $(PYTHON) -m pytest -q -s tests/integration/test_soak.py $(PYTEST_ARGS)

# ---- Fuzzing (tests/fuzz; docs/reliability.md) ----------------------------------
#
# Each tests/fuzz/fuzz_NAME.c is a target. `make fuzz` builds it with clang and
# libFuzzer (plus ASan and UBSan) into $(FUZZ_DIR) and runs it for FUZZ_SECONDS
# on its seed corpus tests/fuzz/corpus/NAME; new inputs go to
# $(FUZZ_DIR)/corpus/NAME, crashes to $(FUZZ_DIR)/crashes/ (the run then fails).
# `make fuzz-replay` builds the same targets with $(CC) and a plain main()
# (tests/fuzz/replay_main.c) and runs them once over the committed corpora.
FUZZ_TARGETS  := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS  ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TIMEOUT  ?= 10
FUZZ_CC       ?= clang
FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_CFLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fno-sanitize-recover=undefined -DMIMIR_ASSERTIONS -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. \
                 $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_REPO     := -DFUZZ_REPO_DIR='"$(CURDIR)"'
# The targets exercise wire/, semantic/ and planner/ only: proxy/ is not linked.
FUZZ_OBJS     := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter wire/% semantic/% planner/%,$(LIB_SRCS))) \
                 $(FUZZ_DIR)/obj/tests/fuzz/support.o
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
REPLAY_DIR    := $(BUILD)/fuzz-replay
REPLAY_BINS   := $(FUZZ_TARGETS:%=$(REPLAY_DIR)/fuzz_%)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_REPO) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(REPLAY_DIR)/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FUZZ_REPO) -MMD -MP -c $< -o $@

$(REPLAY_DIR)/fuzz_%: $(REPLAY_DIR)/fuzz_%.o $(REPLAY_DIR)/support.o $(REPLAY_DIR)/replay_main.o \
                      $(filter-out $(BUILD)/proxy/% $(BUILD)/gen/%,$(LIB_OBJS))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Objects are kept between runs (not intermediate files that make would delete).
.SECONDARY: $(FUZZ_OBJS) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o) \
            $(REPLAY_DIR)/support.o $(REPLAY_DIR)/replay_main.o $(FUZZ_TARGETS:%=$(REPLAY_DIR)/fuzz_%.o)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/crashes $(FUZZ_DIR)/logs; \
	    dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	    echo "== fuzz $$t: $(FUZZ_SECONDS) s (log: $(FUZZ_DIR)/logs/$$t.log)"; \
	    if ! $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	        -rss_limit_mb=2048 -print_final_stats=1 $$dict \
	        -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- \
	        $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t > $(FUZZ_DIR)/logs/$$t.log 2>&1; then \
	        tail -n 60 $(FUZZ_DIR)/logs/$$t.log; \
	        echo "fuzz $$t FAILED: the input is in $(FUZZ_DIR)/crashes/"; exit 1; \
	    fi; \
	    grep -E '^#[0-9]+' $(FUZZ_DIR)/logs/$$t.log | tail -n 1; \
	    grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' $(FUZZ_DIR)/logs/$$t.log; \
	done

fuzz-replay: $(REPLAY_BINS)
	@for t in $(FUZZ_TARGETS); do $(REPLAY_DIR)/fuzz_$$t tests/fuzz/corpus/$$t || exit 1; done

# Line coverage of each target's own code over its corpus (the committed one,
# plus what `make fuzz` found), with clang's source-based coverage. Not in CI:
# docs/reliability.md records the figures.
COV_DIR       := $(BUILD)/fuzz-coverage
COV_CFLAGS    := -O0 -g -fprofile-instr-generate -fcoverage-mapping -std=c11 -D_GNU_SOURCE \
                 -Wall -Wextra -Werror -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
COV_OBJS      := $(patsubst %.c,$(COV_DIR)/obj/%.o,$(filter wire/% semantic/% planner/%,$(LIB_SRCS))) \
                 $(COV_DIR)/obj/tests/fuzz/support.o $(COV_DIR)/obj/tests/fuzz/replay_main.o
COV_FILES_handshake := wire/framing.c wire/handshake.c wire/codec.c wire/auth.c wire/auth_sha2.c
COV_FILES_command   := wire/framing.c wire/codec.c wire/command.c wire/binary.c \
                       wire/handshake.c planner/multi_statement.c
COV_FILES_sql       := $(filter planner/%,$(LIB_SRCS))
COV_FILES_yaml      := $(filter semantic/%,$(LIB_SRCS))
COV_FILES_secrets   := semantic/secrets.c semantic/yaml_doc.c

$(COV_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(COV_CFLAGS) $(FUZZ_REPO) -MMD -MP -c $< -o $@

$(COV_DIR)/fuzz_%: $(COV_DIR)/obj/tests/fuzz/fuzz_%.o $(COV_OBJS)
	$(FUZZ_CC) $(COV_CFLAGS) -o $@ $^ $(LDLIBS)

.SECONDARY: $(COV_OBJS) $(FUZZ_TARGETS:%=$(COV_DIR)/obj/tests/fuzz/fuzz_%.o)

fuzz-coverage: $(FUZZ_TARGETS:%=$(COV_DIR)/fuzz_%)
	@$(foreach t,$(FUZZ_TARGETS), \
	    rm -f $(COV_DIR)/$(t).profraw && \
	    LLVM_PROFILE_FILE=$(COV_DIR)/$(t).profraw $(COV_DIR)/fuzz_$(t) tests/fuzz/corpus/$(t) \
	        $(wildcard $(FUZZ_DIR)/corpus/$(t)) >/dev/null && \
	    llvm-profdata merge -sparse -o $(COV_DIR)/$(t).profdata $(COV_DIR)/$(t).profraw && \
	    echo "== $(t): $(COV_FILES_$(t))" && \
	    llvm-cov report $(COV_DIR)/fuzz_$(t) -instr-profile=$(COV_DIR)/$(t).profdata \
	        $(COV_FILES_$(t)) | sed -n '1p;$$p' &&) true

# ---- Installing (docs/operations.md, "Installing") -----------------------------
#
# PREFIX defaults to /usr/local; with PREFIX=/usr the configuration goes to /etc.
# Files of SYSCONFDIR are written only when absent, so that reinstalling never
# replaces an operator's configuration (the Debian package installs them as
# conffiles instead). The unit and the secrets get the paths of this install.
PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
DATADIR        ?= $(PREFIX)/share
MANDIR         ?= $(DATADIR)/man
DOCDIR         ?= $(DATADIR)/doc/mimir
SYSCONFDIR     ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system),$(PREFIX)/lib/systemd/system)
DEMO_PARTS     := sources metrics dimensions
INSTALL        ?= install
DOCS           := README.md $(filter-out docs/mimir.1,$(wildcard docs/*.md))

# A SYSCONFDIR file: $(call install_conf,MODE,SOURCE,DEST)
install_conf = test -e $(3) || $(INSTALL) -m $(1) $(2) $(3)

install: $(BIN) configs/demo/demo.db
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
	    $(DESTDIR)$(SYSCONFDIR)/mimir/secrets \
	    $(foreach d,$(DEMO_PARTS) secrets,$(DESTDIR)$(DATADIR)/mimir/demo/$(d)) \
	    $(foreach d,$(DEMO_PARTS),$(DESTDIR)$(SYSCONFDIR)/mimir/project/$(d))
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mimir
	$(INSTALL) -m 0644 docs/mimir.1 $(DESTDIR)$(MANDIR)/man1/mimir.1
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 configs/install/server.yaml $(DESTDIR)$(DOCDIR)/examples/server.yaml
	$(foreach d,$(DEMO_PARTS) secrets.example,$(INSTALL) -d $(DESTDIR)$(DOCDIR)/examples/pagila/$(d) && \
	    $(INSTALL) -m 0644 configs/pagila/$(d)/* $(DESTDIR)$(DOCDIR)/examples/pagila/$(d)/ &&) true
	$(foreach d,$(DEMO_PARTS) secrets,$(INSTALL) -m 0644 configs/demo/$(d)/* $(DESTDIR)$(DATADIR)/mimir/demo/$(d)/ &&) true
	$(INSTALL) -m 0644 configs/demo/demo.db $(DESTDIR)$(DATADIR)/mimir/demo/demo.db
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' configs/install/mimir.service.in \
	    > $(DESTDIR)$(SYSTEMDUNITDIR)/mimir.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/mimir.service
	$(INSTALL) -m 0644 configs/install/mimir.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/mimir
	$(call install_conf,0640,configs/install/server.yaml,$(DESTDIR)$(SYSCONFDIR)/mimir/server.yaml)
	$(foreach d,$(DEMO_PARTS),$(foreach f,$(notdir $(wildcard configs/demo/$(d)/*)), \
	    $(call install_conf,0644,configs/demo/$(d)/$(f),$(DESTDIR)$(SYSCONFDIR)/mimir/project/$(d)/$(f)) &&)) true
	test -e $(DESTDIR)$(SYSCONFDIR)/mimir/secrets/demo_sqlite.json || \
	    printf '{"connection_class": "sqlite", "path": "%s"}\n' $(DATADIR)/mimir/demo/demo.db \
	    > $(DESTDIR)$(SYSCONFDIR)/mimir/secrets/demo_sqlite.json
	chmod 0750 $(DESTDIR)$(SYSCONFDIR)/mimir/secrets
	chmod 0640 $(DESTDIR)$(SYSCONFDIR)/mimir/secrets/demo_sqlite.json

# Leaves SYSCONFDIR alone: the configuration is the operator's.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mimir $(DESTDIR)$(MANDIR)/man1/mimir.1 \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/mimir.service $(DESTDIR)$(SYSCONFDIR)/logrotate.d/mimir
	rm -rf $(DESTDIR)$(DATADIR)/mimir $(DESTDIR)$(DOCDIR)

# The Debian package, built by dpkg-buildpackage (debhelper, debian/) in a copy
# of the tracked files (or, outside a git checkout, of the tree) under build/deb, so that the source tree stays as it is;
# the .deb lands in build/deb/. DEB_BUILD_OPTIONS=nocheck is implied: the
# project's tests need PostgreSQL and more (make test).
DEB_DIR := build/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git ls-files -z --cached --others --exclude-standard | \
	        xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
	        tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/src; \
	else \
	    tar --exclude=./build --exclude=./bin --exclude=./configs/demo/demo.db -cf - . | \
	        tar -xf - -C $(DEB_DIR)/src; \
	fi
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 || \
	    { tail -n 40 ../build.log; exit 1; }
	@ls $(DEB_DIR)/*.deb

format:
	clang-format -i $(wildcard */*.h */*.c proxy/*/*.h proxy/*/*.c tests/unit/*.c tests/fuzz/*.c tests/fuzz/*.h)

clean:
	rm -rf build bin

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(wildcard $(FUZZ_DIR)/obj/*/*.d \
         $(FUZZ_DIR)/obj/tests/fuzz/*.d $(REPLAY_DIR)/*.d $(COV_DIR)/obj/*/*.d \
         $(COV_DIR)/obj/tests/fuzz/*.d)
