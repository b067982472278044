# Thin wrappers over tasks.py (which needs only Python 3.11 and pip).
.PHONY: main test bench synthetic
main:
	python3 tasks.py main
test:
	python3 tasks.py test
bench:
	python3 tasks.py bench
synthetic:
	python3 tasks.py main >/dev/null; .venv/bin/python -m analysis synthetic
