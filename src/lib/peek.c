/* peek.c: placeholder until implemented in this session */
#include "peek.h"
#include <errno.h>
int fw_peek_write(struct fw_report *r, const char *regex, struct fw_buf *out, struct fw_error *err){(void)r;(void)regex;(void)out;return fw_err(err,-ENOSYS,"not implemented");}
