# The two commands of the README. Both set up .venv first when it is missing
# (tools/setup_env.sh; seconds when it is already there).
PYTHON := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: setup demo toy-demo test

setup:
	bash tools/setup_env.sh

# The main job: train a tiny ACFD from scratch on generated cartoon faces,
# evaluate AP50 on the held-out split, print the results.
demo: setup
	$(PYTHON) tools/demo.py

# A one-minute smoke run of the three toolboxes on toy data.
toy-demo: setup
	$(PYTHON) tools/toy_demo.py

# The test suite (under 15 minutes on 2 CPU cores).
test: setup
	$(PYTHON) -m pytest tests -q $(PYTEST_ARGS)
