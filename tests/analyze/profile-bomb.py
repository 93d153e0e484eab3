#!/usr/bin/env python3
"""profile-bomb.py: writes a small flare zip whose CPU profile decompresses to
MIB MiB of empty string_table entries (protobuf bytes 0x32 0x00: field 6,
length 0), the memory bomb of tests/analyze/publish.sh.

    python3 tests/analyze/profile-bomb.py OUT.zip MIB [HOSTNAME]

The profile is one 16 MiB gzip member repeated (profile.proto readers take
multi-member gzip), so writing a 1 GiB bomb takes a fraction of a second;
the zip is a few kB. Python 3 standard library only.
"""

import sys
import zipfile
import zlib

STATUS = """===============
Agent (v7.58.2)
===============
  Status date: 2024-10-02 14:21:52.317 UTC (1727878912317)

========
Hostname
========

  hostname: {host}

"""


def main():
    out, mib = sys.argv[1], int(sys.argv[2])
    host = sys.argv[3] if len(sys.argv) > 3 else "bomb-host"
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = c.compress(b"\x32\x00" * (8 << 20)) + c.flush()
    gz = member * (mib // 16) if mib >= 16 else member
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb/status.log", STATUS.format(host=host))
        z.writestr("bomb/profiles/core-cpu.pprof", gz)


if __name__ == "__main__":
    main()
