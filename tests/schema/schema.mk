# tests/schema/schema.mk -- report.json against schema/report.schema.json:
# the schema's own test, the validator and the sweep that
# tests/analyze/common.sh and tests/daemon/common.sh run at the end of every
# test (needs python3-jsonschema, packaging/test-deps.txt). Included from
# Makefile.am after tests/Makefile.inc.
TESTS += tests/schema/schema.sh
EXTRA_DIST += \
	tests/schema/schema.sh \
	tests/schema/sweep.sh \
	tests/schema/validate.py
