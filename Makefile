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

# The test suite (under 15 minutes on 2 CPU cores): one pytest worker per core,
# each with one torch/OpenMP thread (two threads per worker would oversubscribe
# the cores, which slows the tiny networks of the tests many times over).
TEST_WORKERS ?= 2
test: setup
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PYTHON) -m pytest tests -q \
		-n $(TEST_WORKERS) $(PYTEST_ARGS)
