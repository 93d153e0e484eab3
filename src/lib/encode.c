/* encode.c: placeholder until implemented in this session */
#include "encode.h"
#include <errno.h>
int fw_profile_encode(const struct fw_profile *p, bool gzip, uint8_t **out, size_t *len, struct fw_error *err){(void)p;(void)gzip;(void)out;(void)len;return fw_err(err,-ENOSYS,"not implemented");}
int fw_profile_write_file(const struct fw_profile *p, const char *path, struct fw_error *err){(void)p;(void)path;return fw_err(err,-ENOSYS,"not implemented");}
