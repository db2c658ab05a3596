#!/usr/bin/env python3
"""Mutation check of the conformance run (./dev mutate).

Plants each bug of the catalogue (testgen/mutants/catalogue.txt) one at a
time in a scratch copy of the tree, rebuilds difgen and difrun there (one
build directory, reused: each mutant rebuilds only what its edit touches)
and runs the conformance run (testgen/conformance.sh, fixed seed; the
corpus, which depends only on the seed and the model, is generated once by
the baseline run and replayed for every mutant). A mutant is killed when the
run fails. The tree itself is never modified.

  mutate.py [--scratch DIR] [--target PCT] [--fresh] [NAME-GLOB...]
  mutate.py --check      only check that every entry applies to the tree

Catalogue format: a mutant starts with "@ name | file | what the bug is",
followed by one or more "- old" / "+ new" line pairs; "old" must occur
exactly once in the file, "\\n" and "\\t" in either stand for a newline and
a tab. Lines starting with '#' are comments. An entry whose text is no
longer in its file (stale: the code moved or changed) fails the check
before anything runs.
"""
import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s) and s[i + 1] in 'nt\\':
            out.append({'n': '\n', 't': '\t', '\\': '\\'}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


def parse(path):
    mutants, cur = [], None
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            if line.startswith('@ '):
                parts = [p.strip() for p in line[2:].split('|')]
                if len(parts) != 3:
                    sys.exit(f'{path}:{no}: expected "@ name | file | what"')
                cur = {'name': parts[0], 'file': parts[1], 'what': parts[2],
                       'edits': [], 'line': no}
                mutants.append(cur)
            elif line.startswith('- ') and cur is not None:
                cur['edits'].append([unescape(line[2:]), None])
            elif line.startswith('+ ') or line == '+':
                if cur is None or not cur['edits'] or cur['edits'][-1][1] is not None:
                    sys.exit(f'{path}:{no}: "+" without a "-" before it')
                cur['edits'][-1][1] = unescape(line[2:])
            else:
                sys.exit(f'{path}:{no}: cannot parse: {line}')
    names = set()
    for m in mutants:
        if not m['edits'] or any(e[1] is None for e in m['edits']):
            sys.exit(f'{path}:{m["line"]}: {m["name"]}: incomplete edit')
        if m['name'] in names:
            sys.exit(f'{path}:{m["line"]}: duplicate name {m["name"]}')
        names.add(m['name'])
    return mutants


def tracked_files():
    out = subprocess.run(['git', 'ls-files', '-z'], cwd=ROOT, check=True,
                         capture_output=True).stdout.decode()
    return [p for p in out.split('\0') if p]


def sync_tree(src_dir):
    """Copies the tree's tracked files into src_dir (only changed ones, so
    the scratch build stays incremental)."""
    for rel in tracked_files():
        a = os.path.join(ROOT, rel)
        b = os.path.join(src_dir, rel)
        if not os.path.isfile(a):
            continue
        with open(a, 'rb') as f:
            data = f.read()
        try:
            with open(b, 'rb') as f:
                if f.read() == data:
                    continue
        except OSError:
            pass
        os.makedirs(os.path.dirname(b), exist_ok=True)
        with open(b, 'wb') as f:
            f.write(data)
        shutil.copymode(a, b)


def stale_reason(src_dir, m):
    """Why mutant m cannot be applied to the copy in src_dir, or None."""
    try:
        with open(os.path.join(src_dir, m['file']), encoding='utf-8') as f:
            text = f.read()
    except OSError as e:
        return f'cannot read the file ({e.strerror})'
    for old, new in m['edits']:
        n = text.count(old)
        if n != 1:
            return f'{n} matches of "{old.splitlines()[0][:60]}"'
        text = text.replace(old, new)
    return None


def run(cmd, cwd, log, timeout, env=None):
    with open(log, 'w') as f:
        try:
            p = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                               timeout=timeout, env=env)
            return p.returncode
        except subprocess.TimeoutExpired:
            f.write(f'\n[timeout after {timeout} s]\n')
            return 'timeout'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--scratch', default=os.path.join(ROOT, 'build-mutate'))
    ap.add_argument('--target', type=float, default=95.0)
    ap.add_argument('--fresh', action='store_true',
                    help='also run a fresh seed (default: fixed seed only)')
    ap.add_argument('--catalogue', default=os.path.join(HERE, 'catalogue.txt'))
    ap.add_argument('--check', action='store_true',
                    help='only check that every entry applies to the tree')
    ap.add_argument('names', nargs='*')
    a = ap.parse_args()

    mutants = parse(a.catalogue)
    if a.check:
        bad = [(m, why) for m in mutants if (why := stale_reason(ROOT, m))]
        for m, why in bad:
            print(f'stale: {m["name"]} ({m["file"]}): {why}')
        print(f'mutate: {len(mutants)} catalogue entries, {len(bad)} stale')
        return 1 if bad or not mutants else 0
    if a.names:
        mutants = [m for m in mutants
                   if any(fnmatch.fnmatch(m['name'], g) for g in a.names)]
    src = os.path.join(a.scratch, 'src')
    bld = os.path.join(a.scratch, 'build')
    logs = os.path.join(a.scratch, 'logs')
    os.makedirs(src, exist_ok=True)
    os.makedirs(logs, exist_ok=True)
    sync_tree(src)
    if not os.path.isdir(os.path.join(bld, 'meson-info')):
        rc = run(['meson', 'setup', bld, '-Dwerror=false'], src,
                 os.path.join(logs, 'setup.log'), 600)
        if rc != 0:
            sys.exit(f'mutate: meson setup failed (see {logs}/setup.log)')
    # a stale entry (its text no longer in its file: the code moved or
    # changed) fails the check at once: it would leave its bug untested
    stale = [(m, why) for m in mutants if (why := stale_reason(src, m))]
    for m, why in stale:
        print(f'stale: {m["name"]} ({m["file"]}): {why}; '
              f'update {os.path.relpath(a.catalogue, ROOT)}:{m["line"]}')
    if stale:
        sys.exit(f'mutate: {len(stale)} stale catalogue entries')
    targets = ['tools/difgen', 'tools/difrun']
    env = dict(os.environ)
    if not a.fresh:
        env['DIFGEN_FRESH_SEED'] = 'none'
    conf = ['sh', os.path.join(src, 'testgen', 'conformance.sh'), bld]

    def build_and_check(tag):
        rc = run(['ninja', '-C', bld] + targets, src,
                 os.path.join(logs, tag + '.build.log'), 900)
        if rc != 0:
            return 'invalid'
        rc = run(conf, src, os.path.join(logs, tag + '.conf.log'), 600, env)
        return 'survived' if rc == 0 else 'killed'

    t0 = time.time()
    base = build_and_check('baseline')
    # the corpus depends only on the seed and the model: generated once by
    # the baseline run, replayed for every mutant
    env['DIFGEN_REUSE'] = '1'
    if base != 'survived':
        sys.exit(f'mutate: the unmutated tree does not pass ({base}); '
                 f'see {logs}/baseline.*.log')
    print(f'mutate: baseline passes ({time.time() - t0:.0f} s); '
          f'{len(mutants)} mutants', flush=True)

    results = []
    for m in mutants:
        # the scratch copy as synced at the start (the tree may change
        # while this runs)
        path = os.path.join(src, m['file'])
        with open(path, encoding='utf-8') as f:
            text = f.read()
        status, mutated = None, text
        for old, new in m['edits']:
            n = mutated.count(old)
            if n != 1:
                status = f'stale ({n} matches of its text)'
                break
            mutated = mutated.replace(old, new)
        t1 = time.time()
        if status is None:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(mutated)
            try:
                status = build_and_check(m['name'])
            finally:
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(text)
        results.append((m, status))
        print(f'mutate: {m["name"]:28s} {status:10s} {time.time() - t1:5.0f} s'
              f'  ({m["what"]})', flush=True)
    # leave the scratch build matching the tree
    run(['ninja', '-C', bld] + targets, src, os.path.join(logs, 'restore.log'),
        900)

    valid = [r for r in results if r[1] in ('killed', 'survived')]
    killed = [r for r in valid if r[1] == 'killed']
    other = [r for r in results if r[1] not in ('killed', 'survived')]
    rate = 100.0 * len(killed) / len(valid) if valid else 0.0
    for m, st in results:
        if st == 'survived':
            print(f'survivor: {m["name"]} ({m["file"]}: {m["what"]})')
    for m, st in other:
        print(f'not run: {m["name"]}: {st}')
    print(f'mutate: {len(killed)} of {len(valid)} mutants killed '
          f'({rate:.1f}%, target {a.target:.0f}%), {len(other)} not run, '
          f'{time.time() - t0:.0f} s')
    return 0 if valid and rate >= a.target and not other else 1


if __name__ == '__main__':
    sys.exit(main())
