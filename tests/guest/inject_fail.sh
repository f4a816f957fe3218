#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run only with ktls.inject=fail (KTLS_VM_INJECT=fail): a test that fails
# on purpose, to show that a failing guest test fails the host's run.
echo "TAP version 13"
echo "1..1"
echo "not ok 1 deliberate failure requested by ktls.inject=fail"
exit 1
