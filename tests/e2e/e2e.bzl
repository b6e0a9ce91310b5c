"""End-to-end tests: they start the real binary (//proxy:tender) from their runfiles."""

def tender_e2e_test(name, srcs, deps = [], data = []):
    native.cc_test(
        name = name,
        size = "medium",
        srcs = srcs,
        data = ["//proxy:tender"] + data,
        # Static, so that the TSan suppressions hook in //tools is seen by the runtime.
        linkstatic = True,
        deps = [
            "//tests/fakes:harness",
            "//third_party:absl",
            "//third_party:gtest_main",
        ] + deps,
    )
