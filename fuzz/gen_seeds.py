#!/usr/bin/env python3
# gen_seeds.py: writes the hand-made seeds of fuzz/corpus/profile/ (edge
# cases the real profiles do not have) and the decompressed fixtures, and
# fuzz/corpus/analyze/: every fixture flare of tests/fixtures/flares/ packed
# in analyze_fuzzer.c's record format, and fuzz/corpus/regexp/ (the patterns of
# tests/fixtures/regexp/golden.tsv).
# Run from the top directory: python3 fuzz/gen_seeds.py. Output is stable.
import glob, gzip, os, struct, sys, zipfile, zlib

OUT = 'fuzz/corpus/profile'

def varint(v):
    v &= (1 << 64) - 1
    out = b''
    while v >= 0x80:
        out += bytes([(v & 0x7f) | 0x80])
        v >>= 7
    return out + bytes([v])

def vi(f, v): return varint(f << 3) + varint(v)
def ld(f, b): return varint(f << 3 | 2) + varint(len(b)) + b
def packed(f, vals): return ld(f, b''.join(varint(v) for v in vals))
def strtab(ss): return b''.join(ld(6, s) for s in ss)

def gz(b):
    # fixed mtime, so the seeds do not change from run to run
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(b) + c.flush()

seeds = {}

# The smallest valid profile: a string table holding only "".
seeds['edge-strings-only.pb'] = ld(6, b'')
seeds['edge-empty.pb'] = b''

# Strings with invalid UTF-8 and an embedded NUL, in names, labels, files.
s = [b'', b'samples', b'count', b'bad\xff\xfename', b'nul\x00byte',
     b'file\x80.go', b'cpu', b'nanoseconds', b'k\xc3', b'v\xff']
seeds['edge-weird-strings.pb'] = (
    ld(1, vi(1, 1) + vi(2, 2)) +
    ld(2, packed(1, [1]) + packed(2, [5])) +
    ld(2, packed(1, [2, 1]) + packed(2, [7]) + ld(3, vi(1, 8) + vi(2, 9))) +
    ld(4, vi(1, 1) + ld(4, vi(1, 1) + vi(2, 10))) +
    ld(4, vi(1, 2) + ld(4, vi(1, 2) + vi(2, 20))) +
    ld(5, vi(1, 1) + vi(2, 3) + vi(3, 3) + vi(4, 5)) +
    ld(5, vi(1, 2) + vi(2, 4) + vi(3, 4) + vi(4, 5)) +
    strtab(s) +
    ld(11, vi(1, 6) + vi(2, 7)) + vi(12, 10000000) + vi(9, 1700000000000000000))

# Every field at least once: two sample types and a default, comments
# (packed and not), drop/keep frames, string and numeric labels with a unit,
# a mapping with a build id, an address-only location, a folded one, an
# inlined one, a reference to an unknown mapping id, recursion, negative
# values, a sample with no locations, duration, unknown fields.
s = [b'', b'alloc_objects', b'count', b'alloc_space', b'bytes', b'space',
     b'main.main', b'main.go', b'main.f', b'runtime.g', b'/bin/prog',
     b'abc123', b'comment one', b'comment two', b'drop.*', b'keep',
     b'bytes_label', b'thread', b'worker', b'requests', b'megabytes']
seeds['edge-all-fields.pb'] = (
    ld(1, vi(1, 1) + vi(2, 2)) + ld(1, vi(1, 3) + vi(2, 4)) +
    ld(2, packed(1, [1, 2, 3]) + packed(2, [3, 3072]) +
       ld(3, vi(1, 17) + vi(2, 18)) + ld(3, vi(1, 16) + vi(3, 4096) + vi(4, 4))) +
    ld(2, vi(1, 4) + vi(1, 4) + vi(1, 3) + vi(2, (1 << 64) - 2) + vi(2, (1 << 64) - 100)) +
    ld(2, packed(2, [1, 1]) + ld(3, vi(1, 19) + vi(3, 7) + vi(4, 20))) +
    ld(2, packed(1, [5, 1]) + packed(2, [0, 0])) +
    ld(3, vi(1, 1) + vi(2, 0x400000) + vi(3, 0x500000) + vi(4, 0x1000) +
       vi(5, 10) + vi(6, 11) + vi(7, 1) + vi(8, 1) + vi(9, 1) + vi(10, 1)) +
    ld(3, vi(1, 2) + vi(2, 0x7f0000000000) + vi(3, 0x7f0000100000) + vi(5, 10)) +
    ld(4, vi(1, 1) + vi(2, 1) + vi(3, 0x401000) + ld(4, vi(1, 1) + vi(2, 12))) +
    ld(4, vi(1, 2) + vi(2, 1) + vi(3, 0x401100) +
       ld(4, vi(1, 2) + vi(2, 30)) + ld(4, vi(1, 3) + vi(2, 40)) + vi(5, 1)) +
    ld(4, vi(1, 3) + vi(2, 2) + vi(3, 0x7f0000000100)) +
    ld(4, vi(1, 4) + vi(2, 99) + vi(3, 0x10) + ld(4, vi(1, 3) + vi(2, -5 & ((1 << 64) - 1)))) +
    ld(4, vi(1, 5) + ld(4, vi(1, 1) + vi(2, 3))) +
    ld(5, vi(1, 1) + vi(2, 6) + vi(3, 6) + vi(4, 7) + vi(5, 10)) +
    ld(5, vi(1, 2) + vi(2, 8) + vi(3, 8) + vi(4, 7) + vi(5, 25)) +
    ld(5, vi(1, 3) + vi(2, 9) + vi(3, 9) + vi(4, 7)) +
    strtab(s) +
    vi(7, 14) + vi(8, 15) + vi(9, 1600000000000000000) + vi(10, 30000000000) +
    ld(11, vi(1, 5) + vi(2, 4)) + vi(12, 524288) +
    vi(13, 12) + packed(13, [13, 12]) + vi(14, 3) +
    ld(99, b'unknown') + vi(98, 5) + varint(97 << 3 | 1) + b'\0' * 8 +
    varint(96 << 3 | 5) + b'\0' * 4)

# Ids that are not 1..n: large, sparse, out of order (encode keeps them).
s = [b'', b'samples', b'count', b'a', b'b']
seeds['edge-sparse-ids.pb'] = (
    ld(1, vi(1, 1) + vi(2, 2)) +
    ld(2, packed(1, [1 << 62, 7]) + packed(2, [9])) +
    ld(4, vi(1, 7) + ld(4, vi(1, (1 << 64) - 1))) +
    ld(4, vi(1, 1 << 62) + ld(4, vi(1, 3))) +
    ld(5, vi(1, (1 << 64) - 1) + vi(2, 3)) + ld(5, vi(1, 3) + vi(2, 4)) +
    strtab(s))

# gzip: one member, and two members that together form one profile.
plain = seeds['edge-all-fields.pb']
seeds['edge-gzip.pb.gz'] = gz(plain)
seeds['edge-gzip-2members.pb.gz'] = gz(plain[:200]) + gz(plain[200:])

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
for path in sorted(glob.glob('tests/fixtures/profiles/*.pb.gz')):
    name = os.path.basename(path)[:-len('.gz')]
    with gzip.open(path) as f, open(os.path.join(OUT, 'fixture-' + name), 'wb') as o:
        o.write(f.read())

# ---- analyze_fuzzer: [tag][u32 LE length][bytes] records ----------------
# tag & 0x0f is the file (keep SLOTS as analyze_fuzzer.c's slots[]);
# tag | 0x80 makes the harness gzip the bytes, so a gzipped profile is
# stored decompressed with that bit set.
SLOTS = ['profiles/core-1st-heap.pprof', 'profiles/core-2nd-heap.pprof',
         'profiles/core-cpu.pprof', 'profiles/core-block.pprof',
         'profiles/core-mutex.pprof', 'profiles/trace-1st-heap.pprof',
         'profiles/trace-2nd-heap.pprof', 'profiles/trace-cpu.pprof',
         'profiles/trace-block.pprof', 'profiles/trace-mutex.pprof',
         'expvar/memstats', 'status.log', 'go-routine-dump.log',
         'install_info.log', 'profiles/process-agent-cpu.pprof',
         'profiles/process-agent-2nd-heap.pprof']
GZIP = 0x80

def record(tag, data):
    return bytes([tag]) + struct.pack('<I', len(data)) + data

def pack_flare(files):
    """files: {path below the flare root: bytes} -> one analyze seed."""
    out = b''
    for slot, rel in enumerate(SLOTS):
        if rel not in files:
            continue
        data, tag = files[rel], slot
        if data[:2] == b'\x1f\x8b':
            try:
                data, tag = gzip.decompress(data), slot | GZIP
            except (OSError, EOFError, zlib.error):
                pass  # a damaged gzip (badprofiles) is kept as it is
        out += record(tag, data)
    return out

OUT_ANALYZE = 'fuzz/corpus/analyze'
os.makedirs(OUT_ANALYZE, exist_ok=True)
for path in sorted(glob.glob('tests/fixtures/flares/*.zip')):
    files = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            rel = info.filename.split('/', 1)[1]  # below the top folder
            files[rel] = z.read(info)
    name = os.path.basename(path).split('-datadog-agent-')[0]
    with open(os.path.join(OUT_ANALYZE, 'flare-' + name + '.bin'), 'wb') as o:
        o.write(pack_flare(files))

# Two small flares (a few kB, so mutations run fast): the short fixture
# profiles and the hand-made edge cases above in the profile slots, with the
# head of a real status.log, memstats and goroutine dump.
def fixture_profile(name):
    with gzip.open('tests/fixtures/profiles/%s.pb.gz' % name) as f:
        return f.read()

with zipfile.ZipFile(glob.glob('tests/fixtures/flares/normal-*.zip')[0]) as z:
    texts = {}
    for info in z.infolist():
        rel = info.filename.split('/', 1)[1] if '/' in info.filename else ''
        if rel in ('status.log', 'expvar/memstats', 'go-routine-dump.log'):
            texts[rel] = b''.join(z.read(info).splitlines(True)[:40])

def slot(rel):
    return SLOTS.index(rel)

def small_flare(profiles):
    out = b''.join(record(slot(rel), data) for rel, data in sorted(texts.items()))
    for rel, data, gz_bit in profiles:
        out += record(slot(rel) | (GZIP if gz_bit else 0), data)
    return out

small = {
    'small-fixtures': [
        ('profiles/core-1st-heap.pprof', fixture_profile('heap1'), True),
        ('profiles/core-2nd-heap.pprof', fixture_profile('heap2'), True),
        ('profiles/core-cpu.pprof', fixture_profile('cpu'), True),
        ('profiles/core-block.pprof', fixture_profile('block'), True),
        ('profiles/core-mutex.pprof', fixture_profile('mutex'), True),
        ('profiles/process-agent-cpu.pprof', fixture_profile('cpu2'), True),
    ],
    'small-edge': [
        ('profiles/core-1st-heap.pprof', seeds['edge-all-fields.pb'], True),
        ('profiles/core-2nd-heap.pprof', seeds['edge-all-fields.pb'], False),
        ('profiles/core-cpu.pprof', seeds['edge-weird-strings.pb'], True),
        ('profiles/core-block.pprof', seeds['edge-sparse-ids.pb'], True),
        ('profiles/core-mutex.pprof', seeds['edge-all-fields.pb'], False),
        ('profiles/trace-1st-heap.pprof', fixture_profile('heap1'), True),
        ('profiles/trace-2nd-heap.pprof', seeds['edge-weird-strings.pb'], True),
        ('profiles/trace-cpu.pprof', b'', False),
        ('profiles/process-agent-2nd-heap.pprof', seeds['edge-sparse-ids.pb'], False),
    ],
}
for name, profiles in small.items():
    with open(os.path.join(OUT_ANALYZE, name + '.bin'), 'wb') as o:
        o.write(small_flare(profiles))

# fuzz/corpus/regexp/: regexp_fuzzer's input (pattern, NUL, subject) for
# every pattern of tests/fixtures/regexp/golden.tsv (written by Go's
# regexp), with the first subject Go matches (else the first subject).
def go_unquote(q):
    # strconv.Quote's output: ASCII escapes, \xHH bytes, \u/\U code points
    out, i, q = bytearray(), 1, q.encode()
    simple = {ord('a'): 7, ord('b'): 8, ord('f'): 12, ord('n'): 10, ord('r'): 13,
              ord('t'): 9, ord('v'): 11, ord('\\'): 92, ord('"'): 34}
    while q[i] != ord('"'):
        c = q[i]
        if c != ord('\\'):
            out.append(c)
            i += 1
            continue
        e = q[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        else:
            n = {ord('x'): 2, ord('u'): 4, ord('U'): 8}[e]
            v = int(q[i + 2:i + 2 + n], 16)
            out += bytes([v]) if n == 2 else chr(v).encode('utf-8', 'surrogatepass')
            i += 2 + n
    return bytes(out)

OUT_REGEXP = 'fuzz/corpus/regexp'
os.makedirs(OUT_REGEXP, exist_ok=True)
chosen = {}
with open('tests/fixtures/regexp/golden.tsv', encoding='utf-8', errors='surrogateescape') as f:
    for line in f:
        p, s, r = line.rstrip('\n').split('\t')
        pat, subj = go_unquote(p), go_unquote(s)
        if pat not in chosen or (r == '"1"' and chosen[pat][1] != '"1"'):
            if pat not in chosen or chosen[pat][1] != '"1"':
                chosen[pat] = (subj, r)
for i, (pat, (subj, _)) in enumerate(chosen.items()):
    with open(os.path.join(OUT_REGEXP, 'golden-%03d.bin' % i), 'wb') as o:
        o.write(pat + b'\0' + subj)
