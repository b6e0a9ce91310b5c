"""Protobuf and gRPC C++ code generation with Debian's protoc and grpc_cpp_plugin."""

def tender_cc_grpc_library(name, srcs, deps = [], visibility = None):
    """Generates <x>.pb.{h,cc} and <x>.grpc.pb.{h,cc} for each .proto and wraps them.

    Args:
      name: the cc_library to create.
      srcs: .proto files of this package; imports resolve from the workspace root.
      deps: other cc targets the generated code needs (other tender_cc_grpc_library targets).
      visibility: as for any rule.
    """
    outs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs += [base + ".pb.h", base + ".pb.cc", base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    native.genrule(
        name = name + "_codegen",
        srcs = srcs,
        outs = outs,
        cmd = ("protoc --proto_path=. --proto_path=$(GENDIR) " +
               "--cpp_out=$(GENDIR) --grpc_out=$(GENDIR) " +
               "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) " +
               "$(SRCS)"),
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + ["//third_party:grpcpp", "//third_party:protobuf"],
        visibility = visibility,
    )
