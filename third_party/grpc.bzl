"""cc_grpc_library: the gRPC C++ stubs of a proto file, made by Debian's protoc and
grpc_cpp_plugin (protobuf-compiler-grpc); the messages come from the usual cc_proto_library."""

load("@rules_cc//cc:defs.bzl", "cc_library")

def cc_grpc_library(name, src, imports, deps):
    """Generates <src>.grpc.pb.{h,cc} and a cc_library `name` over them.

    Args:
      name: the library's name.
      src: the .proto file (in this package), e.g. "tinykvpb.proto".
      imports: the .proto files `src` imports, directly or not (protoc reads them).
      deps: the cc_proto_library of that file and anything else the stubs include.
    """
    base = src[:-len(".proto")]
    pkg = native.package_name()
    outs = [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    native.genrule(
        name = name + "_gen",
        srcs = [src] + imports,
        outs = outs,
        # Paths are relative to the workspace root, as in the cc_proto_library's output, so
        # that the stubs include "proto/x.pb.h" like the rest of the kit.
        cmd = ("/usr/bin/protoc -I. --grpc_out=$(GENDIR) " +
               "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin $(location " + src + ")"),
    )
    cc_library(
        name = name,
        srcs = [base + ".grpc.pb.cc"],
        hdrs = [base + ".grpc.pb.h"],
        deps = deps + ["@system//:grpcpp"],
    )
