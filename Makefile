# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MODE ?= reactor
PORT ?= 6667
# The status page (--status); `make run STATUS=` turns it off.
STATUS ?= tcp:8080:interface=127.0.0.1
ARGS ?=
# twistd's own options (--logfile, --pidfile, ...), which go before `tpreactor`.
TWISTD_ARGS ?=
# Where `make client` connects: the server `make run` starts.
HOST ?= 127.0.0.1

.PHONY: run client test test-trial bench install install-test install-bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

install-bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'

# The server runs as the terminal's foreground job, so that Ctrl+C reaches it
# alone and make's status is the server's (see tpreactor/terminal/foreground.py).
run: install
	$(BIN)/python -m tpreactor.terminal.foreground $(BIN)/twistd --pidfile= $(TWISTD_ARGS) -n tpreactor --mode=$(MODE) --port=$(PORT) $(if $(STATUS),--status=$(STATUS)) $(ARGS)

# The bundled client, talking to that server.
client: install
	$(BIN)/tpreactor-client $(HOST) $(PORT) $(ARGS)

test: install-test
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The same suite under Twisted's own runner (CI runs both).
test-trial: install-test
	$(BIN)/trial tests

bench: install-bench
	$(BIN)/tpreactor-bench $(ARGS)

clean:
	rm -rf build *.egg-info .pytest_cache _trial_temp twisted/plugins/dropin.cache tpreactor/plugins/dropin.cache
