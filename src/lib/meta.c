/* meta.c: placeholder until implemented in this session */
#include "meta.h"
#include <errno.h>
int fw_meta_write(const struct fw_profile *p, const char *name, struct fw_buf *out, struct fw_error *err){(void)p;(void)name;(void)out;return fw_err(err,-ENOSYS,"not implemented");}
