#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check Documentation/userspace-api/ktls.rst as the kernel's documentation
# build reads it: scripts/kernel-doc must find no warning in the files the
# document pulls in, and the document, with every ".. kernel-doc::"
# directive replaced by kernel-doc's output, must be valid
# reStructuredText (docutils, warnings are errors; the Sphinx C domain's
# directives and roles that kernel-doc emits are accepted as they are).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
doc=${1:-$top/Documentation/userspace-api/ktls.rst}
build=${KTLS_BUILD:-$top/build}

# scripts/kernel-doc of the base tree: the extracted tree, else the file
# alone from the package's tarball.
kdoc=$build/linux-base/scripts/kernel-doc
if [ ! -f "$kdoc" ]; then
	kdoc=$build/host/kernel-doc
	if [ ! -f "$kdoc" ]; then
		mkdir -p "$build/host"
		tar -xJf /usr/src/linux-source-6.1.tar.xz -O \
			linux-source-6.1/scripts/kernel-doc > "$kdoc.tmp"
		mv "$kdoc.tmp" "$kdoc"
	fi
fi

/usr/bin/python3 - "$doc" "$kdoc" "$top" <<'PY'
import re, subprocess, sys
doc, kdoc, top = sys.argv[1:]
lines = open(doc).read().split('\n')
out, i, bad = [], 0, 0
while i < len(lines):
    m = re.match(r'\.\. kernel-doc:: (\S+)$', lines[i])
    if not m:
        out.append(lines[i])
        i += 1
        continue
    src, names = m.group(1), []
    i += 1
    while i < len(lines) and re.match(r'\s+:', lines[i]):
        key, _, val = lines[i].strip()[1:].partition(':')
        if key == 'doc':
            names.append(val.strip())
        elif key in ('identifiers', 'functions'):
            names += val.split()
        else:
            sys.exit(f'{doc}: kernel-doc option :{key}: not handled here')
        i += 1
    # One name at a time, so that a name kernel-doc does not know shows.
    for name in names:
        r = subprocess.run(['perl', kdoc, '-rst', '-Werror', '-function',
                            name, src], cwd=top, capture_output=True,
                           text=True)
        warn = [l for l in r.stderr.splitlines() if 'Sphinx version' not in l]
        if r.returncode or warn or not r.stdout.strip():
            print(f'{doc}: kernel-doc of "{name}" in {src}: no output or warnings:',
                  *warn, sep='\n', file=sys.stderr)
            bad = 1
        out += r.stdout.split('\n')
if bad:
    sys.exit(1)

from docutils import nodes
from docutils.core import publish_string
from docutils.parsers.rst import Directive, directives, roles

class CDomain(Directive):
    """The Sphinx C domain's directives: their content is parsed as is."""
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    def run(self):
        node = nodes.section()
        self.state.nested_parse(self.content, self.content_offset, node)
        return node.children

def c_role(name, rawtext, text, lineno, inliner, options={}, content=[]):
    return [nodes.literal(rawtext, text)], []

for d in ('type', 'function', 'macro', 'struct', 'union', 'enum', 'member', 'var'):
    directives.register_directive('c:' + d, CDomain)
for r in ('type', 'func', 'macro', 'struct', 'union', 'enum', 'member', 'data', 'expr'):
    roles.register_local_role('c:' + r, c_role)
publish_string('\n'.join(out), source_path=doc, writer_name='null',
               settings_overrides={'halt_level': 2, 'report_level': 2})
PY
perl "$kdoc" -none -Werror "$top/include/uapi/linux/ktls.h"
echo "ok ${doc#$top/}: kernel-doc and reStructuredText"
