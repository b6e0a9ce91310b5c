"""Protobuf and gRPC C++ code generation with Debian's protoc and grpc_cpp_plugin."""

def tender_cc_grpc_library(name, srcs, deps = [], visibility = None):
    """Generates <x>.pb.{h,cc} and <x>.grpc.pb.{h,cc} for each .proto and wraps them.

    Imports and generated includes are relative to this package's directory, so that
    proto/tender/admin/v1/admin.proto is known as "tender/admin/v1/admin.proto" (the name
    reflection shows to grpcurl users).

    Args:
      name: the cc_library to create.
      srcs: .proto files below this package.
      deps: other cc targets the generated code needs.
      visibility: as for any rule.
    """
    outs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs += [base + ".pb.h", base + ".pb.cc", base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    pkg = native.package_name()
    native.genrule(
        name = name + "_codegen",
        srcs = srcs,
        outs = outs,
        cmd = ("protoc --proto_path=" + pkg + " " +
               "--cpp_out=$(GENDIR)/" + pkg + " --grpc_out=$(GENDIR)/" + pkg + " " +
               "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) " +
               "$(SRCS)"),
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        includes = ["."],
        deps = deps + ["//third_party:grpcpp", "//third_party:protobuf"],
        visibility = visibility,
    )

def tender_cc_proto_library(name, srcs, deps = [], visibility = None):
    """Generates <x>.pb.{h,cc} (messages only, no services) for each .proto and wraps them.

    Includes are relative to this package's directory, as for tender_cc_grpc_library.
    """
    outs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs += [base + ".pb.h", base + ".pb.cc"]
    pkg = native.package_name()
    native.genrule(
        name = name + "_codegen",
        srcs = srcs,
        outs = outs,
        cmd = "protoc --proto_path=" + pkg + " --cpp_out=$(GENDIR)/" + pkg + " $(SRCS)",
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        includes = ["."],
        deps = deps + ["//third_party:protobuf"],
        visibility = visibility,
    )
