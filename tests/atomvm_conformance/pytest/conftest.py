# SPDX-License-Identifier: Apache-2.0


def pytest_addoption(parser):
    parser.addoption("--conformance-test-timeout", default="30",
                     help="seconds a test may run before it counts as hung (native_sim)")
    parser.addoption("--conformance-qemu-test-timeout", default="300",
                     help="the same on QEMU")
    parser.addoption("--conformance-subset", default="auto", choices=("auto", "all", "ci"),
                     help="ci leaves out skips.yaml's ci_excludes; auto: ci when CI=true")
