# SPDX-License-Identifier: Apache-2.0
# A package, so that `unittest discover -s scripts/tests -t .` (as .ci/run does) can import it.
