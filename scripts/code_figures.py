#!/usr/bin/env python3
"""Size figures of src/ the project holds itself to (see CONTRIBUTING.md): the longest
functions and the longest files. A function is counted from its signature line at column 0
to its closing brace at column 0 (the shape clang-format gives every definition here).
Usage: python3 scripts/code_figures.py [N]   (N: how many of each to list, default 5)"""
import re
import subprocess
import sys

# A definition starts at column 0 with a name and '(' (its signature may wrap over lines);
# its body opens with a line ending in '{' before any ';' and closes with '}' at column 0.
SIGNATURE = re.compile(r'^[A-Za-z][^;]*\(')
NOT_A_FUNCTION = ('namespace', 'struct', 'class', 'enum', 'template', '#', 'using', 'extern')


def functions(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    start = None
    in_body = False
    for i, line in enumerate(lines):
        if start is None:
            if SIGNATURE.match(line) and not line.startswith(NOT_A_FUNCTION):
                start, in_body = i, False
            else:
                continue
        if not in_body:
            if line.rstrip().endswith(';'):  # a declaration, not a definition
                start = None
            elif line.rstrip().endswith('{'):
                in_body = True
            continue
        if line.startswith('}'):
            yield i - start + 1, f'{path}:{start + 1}', lines[start][:60]
            start = None


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    files = subprocess.run(['git', 'ls-files', 'src/*.cpp', 'src/*.hpp'], capture_output=True,
                           text=True, check=True).stdout.split()
    funcs = sorted((f for path in files for f in functions(path)), reverse=True)
    sizes = sorted(((sum(1 for _ in open(p, encoding='utf-8')), p) for p in files), reverse=True)
    print('longest functions in src/ (lines):')
    for length, where, text in funcs[:n]:
        print(f'  {length:4d}  {where}  {text}')
    print('longest files in src/ (lines):')
    for length, path in sizes[:n]:
        print(f'  {length:4d}  {path}')


if __name__ == '__main__':
    main()
