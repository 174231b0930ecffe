# Harken: every install and build step lives here (README's commands call it).
SWIFT ?= $(shell command -v swift || echo /opt/swift/usr/bin/swift)
PY := .venv/bin/python
PHRASE ?= hey jarvis
PRESET ?= esp32
PROTOC_GEN_SWIFT ?= $(shell command -v protoc-gen-swift)
space := $(subst ,, )
SLUG := $(subst $(space),_,$(PHRASE))

.PHONY: setup build install install-files demo test test-fast bench calibrate schema onnx-proto clean

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product harken

# Harken installs like a tool: the binary in $(PREFIX)/bin, its Targets, Templates and Firmware in
# $(PREFIX)/share/harken, where the binary finds them from any working directory.
PREFIX ?= /usr/local
BINARY ?= .build/release/harken
install: build
	$(MAKE) install-files PREFIX="$(PREFIX)" BINARY="$(BINARY)"

install-files:
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/harken"
	install -m 755 "$(BINARY)" "$(PREFIX)/bin/harken"
	# Harken Studio's page is the server module's package resources, found beside the binary.
	rm -rf "$(PREFIX)/bin/Harken_HarkenServer.resources"
	cp -R "$(dir $(BINARY))Harken_HarkenServer.resources" "$(PREFIX)/bin/"
	rm -rf "$(PREFIX)/share/harken/Targets" "$(PREFIX)/share/harken/Templates" "$(PREFIX)/share/harken/Firmware"
	cp -R Targets Templates Firmware "$(PREFIX)/share/harken/"

# The main job on its built-in default: phrase -> the stress benchmark (voices, rooms, noise and
# speech training never uses) -> synthesized corpus -> trained Sentry -> quantization-aware int8 ->
# accuracy of float, int8 and microWakeWord's published model on the stress benchmark (FRR at 0.5
# and 1 false accepts per hour, per condition) -> C -> simulation report -> firmware built and run
# on an emulated Cortex-M4. --resume makes a second run reuse the trained model.
demo: build
	bash Benchmarks/accuracy/run.sh "$(PHRASE)" $(PRESET)
	.build/release/harken demo --model build/models/$(SLUG) --phrase "$(PHRASE)" --out build/demo

# scripts/run_tests.py: the test classes on every core, the longest first (Tests/durations.json).
test: setup
	$(SWIFT) build --build-tests
	python3 scripts/run_tests.py --bundle "$$($(SWIFT) build --show-bin-path)/HarkenPackageTests.xctest"

# Everyday work: every test target but HarkenDeviceTests (QEMU boards, training, long fuzzing).
test-fast: setup
	$(SWIFT) build --build-tests
	python3 scripts/run_tests.py --bundle "$$($(SWIFT) build --show-bin-path)/HarkenPackageTests.xctest" --skip HarkenDeviceTests

bench: build
	bash Benchmarks/run.sh

# Refit the cost model of every Arm board in Targets/ on the instruction-set simulator (after a
# kernel changes): scripts/calibrate_all.sh rewrites each board's `cost:` block (after `make setup` once).
calibrate:
	$(SWIFT) build --product harken
	bash scripts/calibrate_all.sh

# Regenerate the committed flatbuffers C++ code from Harken's TFLite schema subset.
schema:
	flatc --cpp --scoped-enums -o Sources/CTFLiteSchema Sources/CTFLiteSchema/schema/harken_tflite.fbs

# Regenerate the committed Swift code for Harken's ONNX message subset (needs protoc and swift-protobuf's plugin).
onnx-proto:
	protoc --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_out=Sources/HarkenONNX --swift_opt=Visibility=Public \
	  -I Sources/HarkenONNX/proto Sources/HarkenONNX/proto/harken_onnx.proto

clean:
	rm -rf .build build
