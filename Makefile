# Quick start: `make run` (set up, build, load the demo documents, run wenku) and `make test`.
BUILD ?= build
DATA ?= wenku-data
WENKU = $(BUILD)/wenku

.PHONY: setup build run test bench clean

setup:
	bash scripts/setup

build:
	bash scripts/setup --build-only

run: setup
	$(WENKU) demo --source . --write $(BUILD)/demo
	$(WENKU) --data $(DATA) import $(BUILD)/demo --category 帮助中心/使用说明 --uploader wenku-demo
	$(WENKU) --data $(DATA) serve

test: setup
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -j2

bench: setup
	bash bench/ingest

clean:
	rm -rf $(BUILD)
