# schema/schema.mk -- the JSON Schema of report.json (draft 2020-12), for
# consumers of the reports and for the test suite, which validates every
# report it writes against it (tests/schema/). Included from Makefile.am.
EXTRA_DIST += schema/report.schema.json schema/status.schema.json schema/outliers.schema.json schema/history.schema.json schema/compare.schema.json
