#!/usr/bin/env python3
"""Writes fuzz/corpus/reportread/: seeds for reportread_fuzzer.c, report.json
documents as Python's json module writes them (an independent JSON writer:
ensure_ascii gives \\uXXXX escapes and surrogate pairs), in the shape
src/investigate/write_json.c gives them, plus edge cases of JSON syntax.
Run from the source tree's top: python3 fuzz/gen_reportread_seeds.py"""
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'reportread')
os.makedirs(OUT, exist_ok=True)


def report(**over):
    r = {
        'schema': 'flarewatch.report', 'schema_version': 2, 'generator': 'flarewatch 0.1.0',
        'analyzed_at': '2026-01-02T03:04:05.678Z', 'ticket': 'ZD-12345',
        'flare': {'file': 'ZD-12345_host-datadog-agent-2024-10-02T14-21-52Z-info.zip', 'sha256': None,
                  'hostname': 'web-1', 'time': '2024-10-02T14:21:52.317Z', 'time_source': 'status.log',
                  'agent_version': '7.58.2', 'host_os': {'os': 'linux', 'kernel_version': '6.1.0'},
                  'profile_files': ['core-cpu.pprof', 'core-1st-heap.pprof'], 'notes': []},
        'verdict': {'kind': 'memory_leak', 'name': 'MEMORY LEAK',
                    'summary': 'core: memory leak, heap +30.42MB per 30 s in pkg.(*T).f',
                    'no_usable_profile': False},
        'memstats': {'Alloc': 123456789, 'HeapInuse': 2 ** 63 - 1, 'NumGC': 47502},
        'processes': [{'name': 'core', 'rows': [{'rank': 1, 'function': 'main.f', 'flat': -5, 'cum': 0}]}],
        'recommendations': [], 'report': {'markdown': 'flare-profiling-web-1.md'},
    }
    for k, v in over.items():
        r[k] = v
    return r


seeds = {
    'report.json': json.dumps(report(), separators=(',', ':')),
    'report-pretty.json': json.dumps(report(), indent=2),
    'report-unicode.json': json.dumps(report(verdict={
        'kind': 'normal', 'name': 'NORMAL',
        'summary': 'caf\u00e9 \U0001F600 \u2028 \u0007 a/b "q" \\ \ud7ff\ue000 \U0010FFFF'}), ensure_ascii=True),
    'report-raw-utf8.json': json.dumps(report(ticket=None, verdict={
        'kind': 'cpu_spike', 'name': 'CPU SPIKE', 'summary': 'caf\u00e9 \U0001F600'}), ensure_ascii=False),
    'report-nulls.json': json.dumps(report(ticket=None, analyzed_at=None, flare={'hostname': 'h', 'time': None})),
}
for name, text in seeds.items():
    with open(os.path.join(OUT, name), 'w', encoding='utf-8') as f:
        f.write(text + '\n')
# JSON syntax edge cases (each a complete document but for what it tests)
edge = {
    'edge-escaped-slash.json': r'{"schema":"flarewatch.report","schema_version":2,"flare":{"hostname":"a\/b"},'
                               r'"verdict":{"kind":"normal","name":"NORMAL"},"report":{"markdown":"m.md"}}',
    'edge-escaped-backslash-u.json': r'{"schema":"flarewatch.report","schema_version":2,"flare":{"hostname":"\\ud83d"},'
                                     r'"verdict":{"kind":"normal","name":"NORMAL"},"report":{"markdown":"m.md"}}',
    'edge-lone-surrogate.json': r'{"schema":"flarewatch.report","flare":{"hostname":"\ud83d"}}',
    'edge-deep.json': '{"a":' + '[' * 100 + ']' * 100 + '}',
    'edge-truncated.json': json.dumps(report())[:200],
    'edge-yaml-alias.json': '{"a": &x [1], "b": *x}',
    'edge-two-docs.json': '{}\n---\n{}\n',
    'edge-nul.json': r'{"schema":"flare\u0000watch.report"}',
}
for name, text in edge.items():
    with open(os.path.join(OUT, name), 'w', encoding='utf-8') as f:
        f.write(text)
