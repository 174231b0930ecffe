# Harken: every install and build step lives here (README's commands call it).
SWIFT ?= $(shell command -v swift || echo /opt/swift/usr/bin/swift)
PY := .venv/bin/python
MODEL ?= hey_jarvis
PHRASE ?= hey jarvis

.PHONY: setup build demo test bench schema clean

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product harken

# The main job on its built-in default: phrase -> model -> C firmware source -> simulation report.
demo: build
	.build/release/harken demo --model "$$($(PY) scripts/mww_model.py $(MODEL))" --phrase "$(PHRASE)" --out build/demo

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

bench: build
	bash Benchmarks/run.sh

# Regenerate the committed flatbuffers C++ code from Harken's TFLite schema subset.
schema:
	flatc --cpp --scoped-enums -o Sources/CTFLiteSchema Sources/CTFLiteSchema/schema/harken_tflite.fbs

clean:
	rm -rf .build build
