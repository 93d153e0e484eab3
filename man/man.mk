# man/man.mk -- the manual pages, included from Makefile.am:
#     include man/man.mk
dist_man_MANS = man/flarewatch.1 man/flarewatchd.8 man/flarewatch.yaml.5
