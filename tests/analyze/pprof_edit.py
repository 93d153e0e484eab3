#!/usr/bin/env python3
"""tests/analyze/pprof_edit.py -- rewrites one field of a real pprof profile
(profile.proto, gzipped or not), for tests/analyze/rules.sh. Standard library
only; it is its own small protobuf codec, so the numbers it prints are
computed independently of flarewatch's decoder.

  pprof_edit.py info FILE                      time, duration, types, totals
  pprof_edit.py settime FILE NANOS             time_nanos
  pprof_edit.py setduration FILE NANOS         duration_nanos
  pprof_edit.py scale FILE INDEX DIV UNIT      value[INDEX] //= DIV, unit -> UNIT
  pprof_edit.py droptype FILE INDEX            remove sample type INDEX
  pprof_edit.py setvalue FILE INDEX VALUE [N]  value[INDEX] of the first N
                                               samples (default 1)
  pprof_edit.py deepstack FILE N               add a copy of the 1st sample
                                               whose stack is its leaf N times
  pprof_edit.py growth NEWER OLDER INDEX       sum of the positive per-function
                                               flat differences of value[INDEX]
                                               (pprof's leaf function: the first
                                               line of the leaf location)
  pprof_edit.py flats FILE INDEX               each function's flat value[INDEX]
                                               (pprof's leaf function, as growth):
                                               lines "VALUE<TAB>FUNCTION"
  pprof_edit.py addvalue FILE INDEX DELTA FN   value[INDEX] += DELTA in the 1st
                                               sample whose leaf function has FN
                                               in its name
  pprof_edit.py dropleaf FILE FN               remove the samples whose leaf
                                               function has FN in its name
  pprof_edit.py attribute FILE INDEX           each sample's value[INDEX] (and
                                               value[0]) charged to its nearest
                                               application frame: lines
                                               "VALUE COUNT FUNCTION [CHECK]",
                                               then "unattributed V C" and
                                               "total V C" (CHECK: the check_id
                                               label's name, for Python check
                                               _Cfunc_ frames)
  pprof_edit.py rename FILE OLD NEW            every string table entry equal
                                               to OLD becomes NEW (both Python
                                               bytes escapes: \x00, \xff)
  pprof_edit.py sysname FILE [clear]           each function's system_name
                                               becomes its name (as converters
                                               like pprof-rs write them), or
                                               is removed with "clear"
  pprof_edit.py namefromsys FILE               each function's name becomes its
                                               system_name (as profilers that
                                               write the raw symbol twice do)
  pprof_edit.py unsymbolize FILE               remove the functions and lines,
                                               clear the mappings' has_* flags
                                               (addresses only, for pprof's
                                               -symbolize=local)
  pprof_edit.py addlabel FILE KEY VALUE [MUL]  every sample gets the string
                                               label KEY=VALUE and its values
                                               times MUL (default 1): copies
                                               that stay distinct when merged
  pprof_edit.py numlabel FILE KEY UNIT...      sample i gets the numeric label
                                               KEY = 512*(i%7+1) in unit
                                               UNIT[i % number of UNITs] (""
                                               for none): one key, several
                                               units
  pprof_edit.py striplabels FILE               remove what pprof's header lines
                                               show: time, duration, the
                                               mappings' file and build ID,
                                               the sample types' names
  pprof_edit.py mappings FILE                  each mapping: "INDEX ID FILE
                                               BUILDID HAS_FUNCTIONS"
  pprof_edit.py mapping FILE INDEX KEY=VALUE.. mapping INDEX (0: the main
                                               binary) gets file=NAME,
                                               buildid=ID (both Python bytes
                                               escapes) or symbolized=0|1
                                               (0 clears the has_* flags,
                                               1 sets has_functions)
  pprof_edit.py remap FILE FROM TO ID         locations FROM..TO-1 (by their
                                               order in the file) get mapping
                                               id ID
  pprof_edit.py nomappings FILE                remove every mapping and the
                                               locations' mapping ids
The file is rewritten in place, gzipped (attribute only prints).
"""
import codecs
import contextlib
import gzip
import io
import sys


def varint(buf, i):
    shift = v = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i


def enc_varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def parse(buf):
    """[(field, wiretype, int or bytes)]"""
    out, i = [], 0
    while i < len(buf):
        key, i = varint(buf, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 2:
            n, i = varint(buf, i)
            v, i = bytes(buf[i:i + n]), i + n
        elif wt == 1:
            v, i = bytes(buf[i:i + 8]), i + 8
        elif wt == 5:
            v, i = bytes(buf[i:i + 4]), i + 4
        else:
            sys.exit("unsupported wire type %d" % wt)
        out.append((f, wt, v))
    return out


def encode(fields):
    out = bytearray()
    for f, wt, v in fields:
        out += enc_varint(f << 3 | wt)
        if wt == 0:
            out += enc_varint(v)
        elif wt == 2:
            out += enc_varint(len(v)) + v
        else:
            out += v
    return bytes(out)


def ints(fields, num):
    """A repeated int64 field, packed or not."""
    vals = []
    for f, wt, v in fields:
        if f != num:
            continue
        if wt == 0:
            vals.append(signed(v))
        else:
            i = 0
            while i < len(v):
                x, i = varint(v, i)
                vals.append(signed(x))
    return vals


def packed(num, vals):
    return (num, 2, b"".join(enc_varint(x) for x in vals))


class Sample:
    def __init__(self, raw):
        fs = parse(raw)
        self.locs = ints(fs, 1)
        self.vals = ints(fs, 2)
        self.rest = [x for x in fs if x[0] not in (1, 2)]

    def encode(self):
        return encode([packed(1, self.locs), packed(2, self.vals)] + self.rest)


def load(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return parse(data)


def save(path, fields):
    open(path, "wb").write(gzip.compress(encode(fields), mtime=0))


def strings(fields):
    return [v.decode("utf-8", "replace") for f, _, v in fields if f == 6]


def interner(fields, empty_is_zero=False):
    """A function giving a string's index in the profile's table, adding
    the string to the table (and to fields) when it is not there."""
    table = [v for f, _, v in fields if f == 6]
    def intern(b):
        if empty_is_zero and b == b"":
            return 0
        if b not in table:
            table.append(b)
            fields.append((6, 2, b))
        return table.index(b)
    return intern


def set_scalar(fields, num, value):
    fields = [x for x in fields if x[0] != num]
    fields.append((num, 0, value))
    return fields


def map_samples(fields, fn):
    out = []
    for f, wt, v in fields:
        if f == 2:
            s = Sample(v)
            fn(s)
            v = s.encode()
        out.append((f, wt, v))
    return out


def location_functions(fields):
    """location id -> its function names, innermost (leaf) first"""
    st = strings(fields)
    funcs = {}
    for f, _, v in fields:
        if f == 5:
            d = dict((a, c) for a, _, c in parse(v))
            funcs[d.get(1, 0)] = st[d.get(2, 0)]
    out = {}
    for f, _, v in fields:
        if f == 4:
            fs = parse(v)
            lid = dict((a, c) for a, wt, c in fs if wt == 0).get(1, 0)
            out[lid] = [funcs.get(dict((a, c) for a, _, c in parse(c)).get(1, 0), "?") for a, wt, c in fs if a == 4]
    return out


def leaf_functions(fields):
    """location id -> the name of its leaf function (first line; "?" without lines)"""
    return {lid: names[0] if names else "?" for lid, names in location_functions(fields).items()}


RUNTIME_PREFIXES = ("runtime.", "runtime/", "internal/", "sync.", "syscall.", "gcBgMarkWorker")


def python_check_frame(fn):
    """a _Cfunc_ function of a package under pkg/collector/python or rtloader"""
    head, _, tail = fn.rpartition("/")
    pkg = head + "/" + tail.split(".", 1)[0] if head else tail.split(".", 1)[0]
    rest = fn[len(pkg):]
    return ("/pkg/collector/python" in pkg or "rtloader" in pkg) and rest.startswith("._Cfunc_")


def attribute(fields, k):
    st = strings(fields)
    locs = location_functions(fields)
    sums, un, total = {}, [0, 0], [0, 0]
    for f, _, v in fields:
        if f != 2:
            continue
        s = Sample(v)
        val, cnt = s.vals[k], s.vals[0]
        if val == 0 and cnt == 0:
            continue
        total[0] += val
        total[1] += cnt
        fn = next((n for lid in s.locs for n in locs.get(lid, []) if not n.startswith(RUNTIME_PREFIXES)), None)
        if fn is None:
            un[0] += val
            un[1] += cnt
            continue
        check = ""
        if python_check_frame(fn):
            for a, wt, lab in s.rest:
                if a == 3:
                    d = dict((x, y) for x, _, y in parse(lab))
                    if st[d.get(1, 0)] == "check_id" and d.get(2):
                        check = st[d[2]].split(":", 1)[0] or st[d[2]]
        key = (fn, check)
        a = sums.setdefault(key, [0, 0])
        a[0] += val
        a[1] += cnt
    for (fn, check), (val, cnt) in sorted(sums.items(), key=lambda kv: (-kv[1][0], kv[0])):
        print(("%d %d %s %s" % (val, cnt, fn, check)).rstrip())
    print("unattributed %d %d" % tuple(un))
    print("total %d %d" % tuple(total))


def flat_by_function(fields, k):
    leaf = leaf_functions(fields)
    flat = {}
    for f, _, v in fields:
        if f == 2:
            s = Sample(v)
            name = leaf.get(s.locs[0], "?") if s.locs else "?"
            flat[name] = flat.get(name, 0) + s.vals[k]
    return flat


def main(argv):
    cmd, path = argv[1], argv[2]
    fields = load(path)
    if cmd == "growth":
        k = int(argv[4])
        new, old = flat_by_function(fields, k), flat_by_function(load(argv[3]), k)
        print(sum(d for d in (new.get(n, 0) - old.get(n, 0) for n in set(new) | set(old)) if d > 0))
        return
    if cmd == "flats":
        for name, v in sorted(flat_by_function(fields, int(argv[3])).items()):
            print("%d\t%s" % (v, name))
        return
    if cmd == "attribute":
        attribute(fields, int(argv[3]))
        return
    if cmd == "info":
        st = strings(fields)
        types = [parse(v) for f, _, v in fields if f == 1]
        names = ["%s/%s" % (st[dict((a, c) for a, _, c in t).get(1, 0)],
                            st[dict((a, c) for a, _, c in t).get(2, 0)]) for t in types]
        totals = [0] * len(names)
        for f, _, v in fields:
            if f == 2:
                for k, x in enumerate(Sample(v).vals):
                    totals[k] += x
        scal = {f: signed(v) for f, wt, v in fields if wt == 0 and f in (9, 10)}
        print("time_nanos %d" % scal.get(9, 0))
        print("duration_nanos %d" % scal.get(10, 0))
        for n, t in zip(names, totals):
            print("total %s %d" % (n, t))
        return
    if cmd == "settime":
        fields = set_scalar(fields, 9, int(argv[3]))
    elif cmd == "setduration":
        fields = set_scalar(fields, 10, int(argv[3]))
    elif cmd == "scale":
        k, div, unit = int(argv[3]), int(argv[4]), argv[5].encode()
        st_count = sum(1 for f, _, _ in fields if f == 6)
        def sc(s):
            s.vals[k] //= div
        fields = map_samples(fields, sc)
        out, seen = [], 0
        for f, wt, v in fields:
            if f == 1:
                if seen == k:
                    t = [x for x in parse(v) if x[0] != 2] + [(2, 0, st_count)]
                    v = encode(t)
                seen += 1
            out.append((f, wt, v))
        out.append((6, 2, unit))
        fields = out
    elif cmd == "droptype":
        k = int(argv[3])
        def drop(s):
            del s.vals[k]
        fields = map_samples(fields, drop)
        out, seen = [], 0
        for f, wt, v in fields:
            if f == 1:
                seen += 1
                if seen - 1 == k:
                    continue
            out.append((f, wt, v))
        fields = out
    elif cmd == "setvalue":
        k, value = int(argv[3]), int(argv[4])
        n = int(argv[5]) if len(argv) > 5 else 1
        done = []
        def setv(s):
            if len(done) < n:
                s.vals[k] = value
                done.append(1)
        fields = map_samples(fields, setv)
    elif cmd == "addvalue":
        k, delta, fn = int(argv[3]), int(argv[4]), argv[5]
        leaf = leaf_functions(fields)
        done = []
        def addv(s):
            if not done and s.locs and fn in leaf.get(s.locs[0], ""):
                s.vals[k] += delta
                done.append(1)
        fields = map_samples(fields, addv)
        if not done:
            sys.exit("no sample with a leaf function named like " + fn)
    elif cmd == "dropleaf":
        fn = argv[3]
        leaf = leaf_functions(fields)
        fields = [x for x in fields if x[0] != 2 or not (Sample(x[2]).locs and fn in leaf.get(Sample(x[2]).locs[0], ""))]
    elif cmd == "rename":
        old, new = (codecs.escape_decode(a.encode())[0] for a in argv[3:5])
        hits = sum(1 for f, _, v in fields if f == 6 and v == old)
        if hits == 0:
            sys.exit("no string %r in %s" % (old, path))
        fields = [(f, wt, new if f == 6 and v == old else v) for f, wt, v in fields]
    elif cmd == "sysname":
        def sysname(v):
            fs = parse(v)
            name = [x for x in fs if x[0] == 2]
            if len(argv) > 3 and argv[3] == "clear":
                return encode([x for x in fs if x[0] != 3])
            return encode([x for x in fs if x[0] != 3] + [(3, 0, x[2]) for x in name])
        fields = [(f, wt, sysname(v) if f == 5 else v) for f, wt, v in fields]
    elif cmd == "namefromsys":
        def namefromsys(v):
            fs = parse(v)
            sysname = [x for x in fs if x[0] == 3]
            if not sysname:
                return v
            return encode([x for x in fs if x[0] != 2] + [(2, 0, x[2]) for x in sysname])
        fields = [(f, wt, namefromsys(v) if f == 5 else v) for f, wt, v in fields]
    elif cmd == "unsymbolize":
        def strip_loc(v):
            return encode([x for x in parse(v) if x[0] != 4])
        def strip_map(v):
            return encode([x for x in parse(v) if x[0] not in (7, 8, 9, 10)])
        fields = [(f, wt, strip_loc(v) if f == 4 else strip_map(v) if f == 3 else v)
                  for f, wt, v in fields if f != 5]
    elif cmd == "striplabels":
        def strip(f, v, drop):
            return encode([x for x in parse(v) if x[0] not in drop])
        fields = [(f, wt, strip(f, v, (5, 6)) if f == 3 else strip(f, v, (1,)) if f == 1 else v)
                  for f, wt, v in fields if f not in (9, 10)]
    elif cmd == "addlabel":
        intern = interner(fields)
        key, val = intern(argv[3].encode()), intern(argv[4].encode())
        mul = int(argv[5]) if len(argv) > 5 else 1
        label = encode([(1, 0, key), (2, 0, val)])
        def add(s):
            s.vals = [x * mul for x in s.vals]
            s.rest.append((3, 2, label))
        fields = map_samples(fields, add)
    elif cmd == "numlabel":
        intern = interner(fields, empty_is_zero=True)
        key = intern(argv[3].encode())
        units = [intern(u.encode()) for u in argv[4:]]
        if not units:
            sys.exit("numlabel: no UNIT")
        seen = []
        def addnum(s):
            i = len(seen)
            seen.append(1)
            label = [(1, 0, key), (3, 0, 512 * (i % 7 + 1))]
            if units[i % len(units)]:
                label.append((4, 0, units[i % len(units)]))
            s.rest.append((3, 2, encode(label)))
        fields = map_samples(fields, addnum)
    elif cmd == "mappings":
        st = [v for f, _, v in fields if f == 6]
        for i, m in enumerate(parse(v) for f, _, v in fields if f == 3):
            d = {f: v for f, _, v in m}
            print("%d %d %r %r %d" % (i, d.get(1, 0), st[d.get(5, 0)], st[d.get(6, 0)], d.get(7, 0)))
        return
    elif cmd == "mapping":
        k = int(argv[3])
        intern = interner(fields, empty_is_zero=True)
        idx = [i for i, (f, _, _) in enumerate(fields) if f == 3]
        if k >= len(idx):
            sys.exit("no mapping %d in %s" % (k, path))
        m = parse(fields[idx[k]][2])
        for kv in argv[4:]:
            key, _, val = kv.partition("=")
            if key in ("file", "buildid"):
                num = 5 if key == "file" else 6
                m = [x for x in m if x[0] != num] + [(num, 0, intern(codecs.escape_decode(val.encode())[0]))]
            elif key == "symbolized":
                m = [x for x in m if x[0] not in (7, 8, 9, 10)] + ([(7, 0, 1)] if val == "1" else [])
            else:
                sys.exit("mapping: unknown key " + key)
        fields[idx[k]] = (3, 2, encode(m))
    elif cmd == "remap":
        lo, hi, mid = int(argv[3]), int(argv[4]), int(argv[5])
        out, seen = [], 0
        for f, wt, v in fields:
            if f == 4:
                if lo <= seen < hi:
                    v = encode([x for x in parse(v) if x[0] != 2] + [(2, 0, mid)])
                seen += 1
            out.append((f, wt, v))
        fields = out
    elif cmd == "nomappings":
        def strip_loc(v):
            return encode([x for x in parse(v) if x[0] != 2])
        fields = [(f, wt, strip_loc(v) if f == 4 else v) for f, wt, v in fields if f != 3]
    elif cmd == "deepstack":
        n = int(argv[3])
        first = next(Sample(v) for f, _, v in fields if f == 2)
        first.locs = [first.locs[0]] * n
        fields = fields + [(2, 2, first.encode())]
    else:
        sys.exit("unknown command " + cmd)
    save(path, fields)



def run(args):
    """`pprof_edit.py ARGS...` in this process (a check that reads many
    profiles starts no python per profile): what it prints, as a string;
    RuntimeError where the command would exit with a message"""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            main(["pprof_edit.py"] + [str(a) for a in args])
    except SystemExit as e:
        if e.code not in (None, 0):
            raise RuntimeError("pprof_edit.py %s: %s" % (" ".join(map(str, args)), e.code))
    return out.getvalue()


if __name__ == "__main__":
    main(sys.argv)
