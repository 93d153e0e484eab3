# tests/site/site.mk -- the investigations site (index.html, report.html) in
# headless Chromium; included from Makefile.am after tests/Makefile.inc.
# tests/bench/site_bench.sh (1,000 reports: index.html's size and load time)
# is a benchmark, not a test: it prints figures.
TESTS += tests/site/site.sh
EXTRA_DIST += \
	tests/site/site.sh \
	tests/site/site_check.py \
	tests/bench/site_bench.sh
# the screenshots site.sh saves in the build folder
CLEANFILES += tests/site/index.png tests/site/hostile-report.png
