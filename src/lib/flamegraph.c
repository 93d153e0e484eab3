/* flamegraph.c: placeholder until implemented in this session */
#include "flamegraph.h"
#include <errno.h>
int fw_collapsed_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err){(void)r;(void)out;return fw_err(err,-ENOSYS,"not implemented");}
int fw_flamegraph_write(struct fw_report *r, const char *title, struct fw_buf *out, struct fw_error *err){(void)r;(void)title;(void)out;return fw_err(err,-ENOSYS,"not implemented");}
