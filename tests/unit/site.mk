# tests/unit/site.mk -- unit tests of the investigations site's HTML
# (src/investigate/html.c: escaping, links, the page frame and its CSP) and
# of its Markdown renderer (src/investigate/mdhtml.c).
# Included from the top-level automake file after tests/Makefile.inc.

check_PROGRAMS += tests/unit/test_html
TESTS += tests/unit/test_html
tests_unit_test_html_SOURCES = tests/unit/test_html.c tests/tap.h
tests_unit_test_html_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_mdhtml
TESTS += tests/unit/test_mdhtml
tests_unit_test_mdhtml_SOURCES = tests/unit/test_mdhtml.c tests/tap.h
tests_unit_test_mdhtml_LDADD = $(LIBFW_LIBS)
