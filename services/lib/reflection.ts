// gRPC server reflection (grpc.reflection.v1 and v1alpha, by @grpc/reflection) on a service's grpc-js server,
// so grpcurl, Postman and other generic clients list and call its RPCs without the .proto files. The
// descriptors come from the generated code in gen/ (each protoc-gen-es file embeds its FileDescriptorProto),
// so what reflection answers is exactly what the server was built from. On by default; GRPC_REFLECTION=false
// turns it off (e.g. where the API surface should not be discoverable).
import { toBinary, type DescFile, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { booleanFrom } from "./config.js";

/** Whether GRPC_REFLECTION allows reflection (unset: yes). Any value other than true/false/1/0 fails start-up. */
export function reflectionEnabled(env: Record<string, string | undefined>): boolean {
  return booleanFrom(env, "GRPC_REFLECTION", true);
}

/** Adds the reflection services to `server`, describing `services` (and every file their messages use). */
export function addReflection(server: grpc.Server, services: Iterable<DescService>): void {
  const files = new Map<string, DescFile>();
  const add = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(add);
  };
  const names = new Set<string>();
  for (const service of services) {
    names.add(service.typeName);
    add(service.file);
  }
  // ReflectionService reads only the encoded files of a package definition (`fileDescriptorProtos`). They are
  // given as buf compiled them: proto-loader's own (loadFileDescriptorSetFromBuffer) regroups types by package
  // and drops the files' imports, which leaves a client unable to resolve a request's message types.
  const fileDescriptorProtos = [...files.values()].map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
  const definition = { files: { fileDescriptorProtos } } as unknown as PackageDefinition;
  // Only the services this server answers are listed, not every service declared in the same files.
  new ReflectionService(definition, { services: [...names] }).addToServer(server);
}
